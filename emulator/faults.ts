/**
 * Scriptable misbehaviour: every way a Rocket.Chat server, or a proxy in front of it, or the
 * network, can fail a request the tap makes. A rule matches a route (and optionally an identity)
 * and picks which of the matching requests fail; the first rule that fires decides the response.
 *
 * Request numbers are counted per rule, from the moment the rule was installed, over the requests
 * that match its route (and identity): `nth: 3` is the third matching request after `setFaults`.
 */
import { mulberry32, type Rng } from './prng.js';
import { normaliseRoute } from './routes/common.js';

export type FaultKind =
  | 'status' | '429' | '429-retry-after' | '429-body-only' | 'reset-before' | 'reset-mid-body' | 'truncated' | 'truncated-gzip'
  | 'invalid-json' | 'html-200' | 'missing-key' | 'success-false-200' | 'slow' | 'stall' | '401' | '403';

export const FAULT_KINDS: readonly FaultKind[] = [
  'status', '429', '429-retry-after', '429-body-only', 'reset-before', 'reset-mid-body', 'truncated', 'truncated-gzip',
  'invalid-json', 'html-200', 'missing-key', 'success-false-200', 'slow', 'stall', '401', '403',
];

export interface FaultRule {
  /** '/api/v1/users.list', 'users.list', 'info' (for /api/info) or '*' (every /api route). */
  route: string;
  kind: FaultKind;
  /** Only requests whose credentials resolve to this identity ('admin', 'user', ...). */
  identity?: string;
  /** Fire on this matching request number (1-based) or these numbers. */
  nth?: number | number[];
  /** Fire on every Nth matching request (N, 2N, 3N, ...). */
  every?: number;
  /** Fire on every matching request after the first N (e.g. a token revoked after N requests). */
  after?: number;
  /** Fire with this probability (0..1), drawn from the injector's seeded PRNG. */
  probability?: number;
  /** Stop after firing this many times. */
  times?: number;
  /** 'status': the HTTP status (default 500). */
  status?: number;
  /** 'status' and '429-retry-after': 'json' (default for 'status'), 'html', 'empty', or a literal body. */
  body?: 'json' | 'html' | 'empty' | string;
  /** Content-Type for a literal `body` (default text/plain). */
  contentType?: string;
  /**
   * Retry-After for '429-retry-after' (default 1) and optionally for 'status': seconds, or
   * 'http-date' to send an HTTP-date `retryAfterSeconds` in the future.
   */
  retryAfter?: number | 'http-date';
  /** With retryAfter 'http-date': how far ahead (default 1 s). */
  retryAfterSeconds?: number;
  /** '429' and '429-body-only': ms until the pretend window resets (default 1000). */
  waitMs?: number;
  /** '429': X-RateLimit-Limit value (default 10). */
  limit?: number;
  /** 'slow': extra delay in ms before answering normally (default 1000). */
  delayMs?: number;
  /** Label for stats. */
  name?: string;
}

interface Installed {
  rule: FaultRule;
  seen: number;
  fired: number;
}

export interface FiredFault {
  route: string;
  kind: FaultKind;
  name?: string;
  n: number;
  time: number;
}

export class FaultInjector {
  private installed: Installed[] = [];
  private rng: Rng;
  readonly firedByKind: Partial<Record<FaultKind, number>> = {};
  readonly firedLog: FiredFault[] = [];
  totalFired = 0;

  constructor(rules: FaultRule[] = [], private readonly seed = 1, private readonly now: () => number = Date.now) {
    this.rng = mulberry32(seed);
    this.set(rules);
  }

  /** Replaces the rule list (counters restart; the PRNG is reseeded). */
  set(rules: readonly FaultRule[]): void {
    for (const r of rules) validateRule(r);
    this.installed = rules.map((rule) => ({ rule: { ...rule }, seen: 0, fired: 0 }));
    this.rng = mulberry32(this.seed);
  }

  add(rule: FaultRule): void {
    validateRule(rule);
    this.installed.push({ rule: { ...rule }, seen: 0, fired: 0 });
  }

  clear(): void {
    this.installed = [];
  }

  list(): Array<FaultRule & { seen: number; fired: number }> {
    return this.installed.map((i) => ({ ...i.rule, seen: i.seen, fired: i.fired }));
  }

  /** Counts the request against every matching rule; returns the first rule that fires. */
  match(path: string, identity: string | undefined): FaultRule | undefined {
    let hit: Installed | undefined;
    for (const inst of this.installed) {
      const { rule } = inst;
      const route = normaliseRoute(rule.route);
      if (route !== '*' && route !== path) continue;
      if (rule.identity !== undefined && rule.identity !== identity) continue;
      inst.seen++;
      if (hit) continue;
      let fires = true;
      if (rule.nth !== undefined) fires = Array.isArray(rule.nth) ? rule.nth.includes(inst.seen) : inst.seen === rule.nth;
      if (fires && rule.every !== undefined) fires = inst.seen % rule.every === 0;
      if (fires && rule.after !== undefined) fires = inst.seen > rule.after;
      if (fires && rule.times !== undefined) fires = inst.fired < rule.times;
      if (fires && rule.probability !== undefined) fires = this.rng() < rule.probability;
      if (fires) hit = inst;
    }
    if (!hit) return undefined;
    hit.fired++;
    this.totalFired++;
    this.firedByKind[hit.rule.kind] = (this.firedByKind[hit.rule.kind] ?? 0) + 1;
    const entry: FiredFault = { route: path, kind: hit.rule.kind, n: hit.seen, time: this.now() };
    if (hit.rule.name !== undefined) entry.name = hit.rule.name;
    this.firedLog.push(entry);
    if (this.firedLog.length > 10_000) this.firedLog.splice(0, 1000);
    return hit.rule;
  }
}

function validateRule(r: FaultRule): void {
  if (!r || typeof r !== 'object') throw new Error('a fault rule must be an object');
  if (typeof r.route !== 'string' || r.route === '') throw new Error('fault rule: route is required');
  if (!FAULT_KINDS.includes(r.kind)) throw new Error(`fault rule: unknown kind ${String(r.kind)} (one of ${FAULT_KINDS.join(', ')})`);
  if (r.probability !== undefined && (r.probability < 0 || r.probability > 1)) throw new Error('fault rule: probability must be within 0..1');
}
