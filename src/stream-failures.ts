/**
 * Which failures stop the whole run and which only the stream they happen in, and the one line
 * a run with failed streams ends with. Pure: no I/O.
 *
 * A stream's own trouble (403 for a missing permission, 400, 404, a stream-level HttpError, a
 * route that kept failing until the retries ran out, a rate-limit wait too long on its route)
 * must not cost the other streams their records and STATE. What every stream would hit alike
 * stops everything at once: rejected credentials (401), an endpoint that cannot be reached at
 * all (connection refused, DNS, unreachable host, TLS), signals, a closed stdout, bad input and
 * bugs.
 */
import { HttpError, TapError, errorMessage } from './errors.js';
import { NetworkError, type NetworkErrorKind } from './http.js';

/** Network failures that say the endpoint is not there (or not trustworthy), for every route. */
const RUN_FATAL_NETWORK: ReadonlySet<NetworkErrorKind> = new Set(['refused', 'dns', 'unreachable', 'tls']);

/** Whether `err`, raised by one stream, must stop every stream. */
export function stopsTheRun(err: unknown): boolean {
  if (!(err instanceof HttpError)) return true;
  if (err.status === 401) return true;
  if (err.status !== undefined) return false;
  // No HTTP answer: the client hands the network failure on as the cause.
  const cause = err.cause;
  return !(cause instanceof NetworkError) || RUN_FATAL_NETWORK.has(cause.kind);
}

export interface StreamFailure {
  stream: string;
  error: unknown;
}

/** The run's end when some streams failed and the others finished: exit 1, one line. */
export class StreamsFailedError extends TapError {
  constructor(readonly failures: readonly StreamFailure[], selected: number) {
    super(failureLine(failures, selected));
  }
}

/**
 * `2 of 7 streams failed (the other 5 finished and wrote their STATE): channels: permission
 * denied: GET … | users: GET … failed after 6 attempts: …`. Each reason is the stream's own
 * one-line error; a run of one stream ends with that error alone, since it was the whole run.
 */
export function failureLine(failures: readonly StreamFailure[], selected: number): string {
  if (selected === 1 && failures.length === 1) return errorMessage(failures[0]!.error);
  const reasons = [...groupByReason(failures)].map(([reason, group]) => `${group.map((g) => g.stream).join(', ')}: ${group.length === 1 ? reasonOf(group[0]!) : reason}`);
  const finished = selected - failures.length;
  const others = finished > 0 ? ` (the other ${finished} finished and wrote their STATE)` : '';
  return `${failures.length} of ${selected} streams failed${others}: ${reasons.join(' | ')}`;
}

/**
 * Streams that failed the same way on their own routes (a login page answering every request)
 * share one reason, with the request left out: `GET … failed after 2 attempts: …`.
 */
function groupByReason(failures: readonly StreamFailure[]): Map<string, StreamFailure[]> {
  const groups = new Map<string, StreamFailure[]>();
  for (const f of failures) {
    const reason = reasonOf(f).replace(/\bGET \S+/g, 'GET …');
    groups.set(reason, [...(groups.get(reason) ?? []), f]);
  }
  return groups;
}

/** The error's message, without the "for stream X" the prefix already says. */
function reasonOf(f: StreamFailure): string {
  return errorMessage(f.error).replace(` for stream ${f.stream}`, '');
}
