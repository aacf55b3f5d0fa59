/**
 * Pure retry decisions: a verdict (classify.ts) and what earlier attempts spent → ok, wait N ms
 * and try again, or give up with this message. No I/O, no clock: the client acts on the answer.
 * 429s do not spend max_retries (they are waits the server asked for), so they are counted apart.
 */
import type { ResponseEvent } from './client-options.js';
import type { Exchange, Verdict } from './classify.js';
import { backoffDelay, type BackoffOptions } from './retry-timing.js';

export interface RetryPolicy {
  /** Retries after transient failures. */
  maxRetries: number;
  /** Longest single wait accepted, whoever asked for it; longer is a RateLimitWaitError. */
  maxRateLimitWaitMs: number;
  backoff: BackoffOptions;
  random: () => number;
}

/** What the earlier attempts of one request spent. */
export interface AttemptState {
  /** Transient failures retried (the budget max_retries governs). */
  readonly retries: number;
  /** 429s waited out. */
  readonly rateLimitWaits: number;
  /** 429s since the last other answer. */
  readonly rateLimitedInARow: number;
}

export const FIRST_ATTEMPT: AttemptState = { retries: 0, rateLimitWaits: 0, rateLimitedInARow: 0 };

/** 429s do not spend max_retries; this only stops a server or proxy that never lets us through. */
export const MAX_CONSECUTIVE_429 = 30;

type Outcome = ResponseEvent['outcome'];
/** What messages name: the request and the endpoint. */
type Named = Pick<Exchange, 'request' | 'endpoint'>;

/** Stop: `message` for the error, `rateLimitWait` when it is a RateLimitWaitError. */
export interface GiveUp {
  kind: 'give-up';
  outcome: Outcome;
  message: string;
  attempts: number;
  rateLimitWait: boolean;
}

export type Decision =
  | { kind: 'ok'; outcome: Outcome; body: Record<string, unknown> }
  | { kind: 'wait'; outcome: Outcome; waitMs: number; warning: string; next: AttemptState }
  | GiveUp;

/** The attempt's number, from 1: every attempt before it was either retried or waited out. */
export function attemptNumber(state: AttemptState): number {
  return 1 + state.retries + state.rateLimitWaits;
}

export function decide(verdict: Verdict, state: AttemptState, policy: RetryPolicy, ex: Named): Decision {
  const attempt = attemptNumber(state);
  const giveUp = (outcome: Outcome, message: string, rateLimitWait = false): Decision =>
    ({ kind: 'give-up', outcome, message, attempts: attempt, rateLimitWait });
  const tooLong = (outcome: Outcome, waitMs: number, source: string): Decision => giveUp(outcome, waitTooLong(ex, waitMs, source, policy), true);

  switch (verdict.kind) {
    case 'ok':
      return { kind: 'ok', outcome: 'ok', body: verdict.body };
    case 'fatal':
      return giveUp('fatal', verdict.message);
    case 'rate-limited': {
      const inARow = state.rateLimitedInARow + 1;
      if (inARow > MAX_CONSECUTIVE_429) {
        return giveUp('rate-limited', `${ex.request} on ${ex.endpoint} still rate limited after ${MAX_CONSECUTIVE_429} waits: ${verdict.reason}`);
      }
      if (verdict.waitMs > policy.maxRateLimitWaitMs) return tooLong('rate-limited', verdict.waitMs, verdict.waitSource);
      const warning = `${ex.request} on ${ex.endpoint} was rate limited (attempt ${attempt}): waiting ${seconds(verdict.waitMs)} per ${verdict.waitSource}`;
      const next = { ...state, rateLimitWaits: state.rateLimitWaits + 1, rateLimitedInARow: inARow };
      return { kind: 'wait', outcome: 'rate-limited', waitMs: verdict.waitMs, warning, next };
    }
    case 'retry': {
      // Attempts count the failures max_retries governs; 429 waits are reported apart
      // ("attempt 4 of 3" would be nonsense).
      const failures = state.retries + 1;
      if (state.retries >= policy.maxRetries) {
        const waits = state.rateLimitWaits;
        const alsoWaited = waits === 0 ? '' : ` (and ${waits} rate-limit wait${plural(waits)})`;
        return giveUp('fatal', `${ex.request} failed after ${failures} attempt${plural(failures)}${alsoWaited}: ${verdict.reason}`);
      }
      if (verdict.waitMs !== undefined && verdict.waitMs > policy.maxRateLimitWaitMs) {
        return tooLong('retry', verdict.waitMs, verdict.waitSource ?? 'Retry-After');
      }
      const waitMs = verdict.waitMs ?? backoffDelay(failures, policy.backoff, policy.random);
      const warning =
        `${ex.request} on ${ex.endpoint} attempt ${failures} of ${policy.maxRetries + 1} failed: ${verdict.reason}; ` +
        `retrying in ${seconds(waitMs)}`;
      return { kind: 'wait', outcome: 'retry', waitMs, warning, next: { ...state, retries: failures, rateLimitedInARow: 0 } };
    }
  }
}

/** The pacer would have to wait longer than max_rate_limit_wait for the route's window to reset. */
export function budgetWaitTooLong(waitMs: number, state: AttemptState, policy: RetryPolicy, ex: Named): GiveUp {
  const message = waitTooLong(ex, waitMs, 'X-RateLimit-Reset', policy);
  return { kind: 'give-up', outcome: 'rate-limited', message, attempts: attemptNumber(state) - 1, rateLimitWait: true };
}

function waitTooLong(ex: Named, waitMs: number, source: string, policy: RetryPolicy): string {
  return (
    `${ex.request} on ${ex.endpoint} is rate limited for ${seconds(waitMs)} (per ${source}), longer than ` +
    `max_rate_limit_wait (${seconds(policy.maxRateLimitWaitMs)}): raise max_rate_limit_wait, ` +
    `or use a bot or admin token, which Rocket.Chat does not rate limit`
  );
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** `41.6 s`, `60 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms % 1000 === 0 ? 0 : 1)} s`;
}
