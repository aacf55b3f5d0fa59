/**
 * Progress of a long run: every ~30 s, and when a request starts waiting for a rate-limit window,
 * one log line per active stream with its records so far, units done of units known (pages, or
 * rooms for the messages stream) and an ETA. Readers feed it with `track()` (absolute numbers,
 * as often as they like: it only stores them); it writes nothing for runs shorter than the interval.
 *
 * The ETA of a rate-limited route comes from its budget: the pages left beyond the calls left in
 * this window need whole windows (Rocket.Chat's fixed windows, docs/rocketchat-api-notes.md#rate-limiting).
 * Otherwise it extrapolates the stream's own pace.
 */
import type { RouteBudget } from './client.js';
import type { Clock } from './clock.js';

export type ProgressUnit = 'pages' | 'rooms';

export interface ProgressUpdate {
  unit: ProgressUnit;
  /** Units known so far (pages from `total`, rooms listed); unknown yet: leave out. */
  total?: number;
  done: number;
  /** Records (and deletions) emitted so far. */
  records: number;
  /** The route whose rate-limit budget paces this stream (one request a unit), for the ETA. */
  route?: string;
}

/** What a reader needs of the reporter: the messages stream calls this too. */
export interface ProgressSink {
  track(stream: string, update: ProgressUpdate): void;
}

export interface ProgressOptions {
  clock: Clock;
  write: (line: string) => void;
  /** The budget of a route when it is rate limited (RocketChatClient.budget). */
  budget?: (route: string) => RouteBudget | undefined;
  /** @default 30 000 */
  intervalMs?: number;
  /** Reports triggered by rate-limit waits come at most this often. @default 5 000 */
  minGapMs?: number;
}

interface Active {
  startedAt: number;
  update?: ProgressUpdate;
}

export class ProgressReporter implements ProgressSink {
  private readonly active = new Map<string, Active>();
  private readonly intervalMs: number;
  private readonly minGapMs: number;
  private readonly createdAt: number;
  private lastReport: number | undefined;

  constructor(private readonly options: ProgressOptions) {
    this.intervalMs = options.intervalMs ?? 30_000;
    this.minGapMs = options.minGapMs ?? 5_000;
    this.createdAt = options.clock.now();
  }

  start(stream: string): void {
    this.active.set(stream, { startedAt: this.options.clock.now() });
  }

  finish(stream: string): void {
    this.active.delete(stream);
  }

  track(stream: string, update: ProgressUpdate): void {
    const entry = this.active.get(stream) ?? { startedAt: this.options.clock.now() };
    entry.update = { ...update };
    this.active.set(stream, entry);
    this.maybeReport();
  }

  /** Reports if the interval has passed since the last report. */
  maybeReport(): void {
    if (this.options.clock.now() - (this.lastReport ?? this.createdAt) >= this.intervalMs) this.report();
  }

  /** A request is waiting for a rate-limit window: report now (unless a report has just been made). */
  rateLimitWait(): void {
    if (this.lastReport === undefined || this.options.clock.now() - this.lastReport >= this.minGapMs) this.report();
  }

  report(): void {
    const now = this.options.clock.now();
    this.lastReport = now;
    for (const [stream, entry] of [...this.active].sort(([a], [b]) => a.localeCompare(b))) {
      this.options.write(this.line(stream, entry, now));
    }
  }

  /** Reports every interval until `signal` aborts (the run's end). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.options.clock.sleep(this.intervalMs, signal);
      } catch {
        return;
      }
      this.maybeReport();
    }
  }

  private line(stream: string, entry: Active, now: number): string {
    const u = entry.update;
    if (!u) return `progress ${stream}: started ${duration(now - entry.startedAt)} ago, no answer yet`;
    const unit = u.total === undefined ? `${u.done} ${u.unit} done` : `${u.done} of ${u.total} ${u.unit}`;
    const budget = u.route ? this.options.budget?.(u.route) : undefined;
    const ms = etaMs(u, budget, now - entry.startedAt, now);
    const eta = ms === undefined ? '' : `, ETA ${duration(ms)}`;
    const paced = budget ? ` (rate limited: ${budget.remaining} of ${budget.limit} calls left in this ${duration(budget.windowMs)} window)` : '';
    return `progress ${stream}: ${u.records} records, ${unit}${eta}${paced}`;
  }
}

/**
 * Time left, or undefined when nothing is known yet. A rate-limited stream of pages needs one
 * call a page: what the current window still allows runs now, the rest takes whole windows
 * after the reset. Otherwise: the pace so far.
 */
export function etaMs(u: ProgressUpdate, budget: RouteBudget | undefined, elapsedMs: number, now: number): number | undefined {
  if (u.total === undefined) return undefined;
  const left = Math.max(0, u.total - u.done);
  if (left === 0) return 0;
  if (budget && u.unit === 'pages' && budget.limit > 0) {
    const beyond = left - Math.max(0, budget.remaining);
    if (beyond > 0) {
      const windows = Math.ceil(beyond / budget.limit);
      return Math.max(0, budget.resetAtMs - now) + (windows - 1) * budget.windowMs;
    }
  }
  if (u.done === 0) return undefined;
  return Math.round((elapsedMs / u.done) * left);
}

/** `0.4 s`, `42 s`, `4 min 30 s`, `2 h 5 min`. */
export function duration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}
