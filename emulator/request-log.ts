/** The log of /api requests and the counters behind `stats()`: per route and status, per identity. */
import type { RequestLogEntry, RouteStats } from './types.js';

export class RequestLog {
  /** Oldest first, at most `limit` entries. */
  readonly entries: RequestLogEntry[] = [];
  readonly routeStats = new Map<string, RouteStats>();
  readonly identityCounts = new Map<string, number>();
  total = 0;
  /** 429s sent by faults. */
  fault429s = 0;

  constructor(private readonly limit: number, private readonly log: ((line: string) => void) | undefined) {}

  /** `known`: the path is an emulated route (unknown paths are counted together). */
  record(entry: RequestLogEntry, known: boolean): void {
    this.total++;
    const key = known ? entry.path : '(unknown)';
    let s = this.routeStats.get(key);
    if (!s) { s = { requests: 0, statuses: {} }; this.routeStats.set(key, s); }
    s.requests++;
    s.statuses[String(entry.status)] = (s.statuses[String(entry.status)] ?? 0) + 1;
    const who = entry.identity ?? '(none)';
    this.identityCounts.set(who, (this.identityCounts.get(who) ?? 0) + 1);
    this.entries.push(entry);
    if (this.log) {
      const q = new URLSearchParams(entry.query).toString();
      this.log(`emulator: ${entry.method} ${entry.path}${q ? `?${q}` : ''} ${entry.status} ${entry.identity ?? '-'} ${entry.durationMs}ms${entry.fault ? ` fault=${entry.fault}` : ''}`);
    }
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }

  byRoute(): Record<string, RouteStats> {
    return Object.fromEntries([...this.routeStats].map(([k, v]) => [k, { requests: v.requests, statuses: { ...v.statuses } }]));
  }
}
