/**
 * What a sync run tells about itself on stderr besides errors: progress while it runs
 * (src/progress.ts) and the closing summary (src/summary.ts). tap.ts wraps each stream's read
 * in `stream()` and calls `end()` once, whatever happened.
 */
import type { RocketChatClient } from './client.js';
import { systemClock, type Clock } from './clock.js';
import { logger } from './log.js';
import { ProgressReporter } from './progress.js';
import { summaryLines, type StreamResult } from './summary.js';

const log = logger('tap-rocketchat');

export class RunReport {
  readonly progress: ProgressReporter;
  private readonly results = new Map<string, StreamResult>();
  private readonly started = new Map<string, number>();
  private readonly stop = new AbortController();
  private readonly runStarted: number;

  constructor(private readonly client: RocketChatClient, private readonly clock: Clock = systemClock) {
    this.runStarted = clock.now();
    this.progress = new ProgressReporter({ clock, write: (line) => log.info(line), budget: (route) => client.budget(route) });
    client.onRateLimitWait(() => this.progress.rateLimitWait());
    void this.progress.run(this.stop.signal);
  }

  /** Runs one stream's read, timing it and keeping its outcome for the summary. */
  async stream<T extends { records: number; deletions: number; skipped?: boolean }>(name: string, read: () => Promise<T>): Promise<T> {
    this.started.set(name, this.clock.now());
    this.progress.start(name);
    try {
      const result = await read();
      this.results.set(name, { stream: name, records: result.records, deletions: result.deletions, skipped: result.skipped, ms: this.clock.now() - this.started.get(name)! });
      return result;
    } finally {
      this.progress.finish(name);
    }
  }

  /** Stops the progress reports and logs the summary (a stream without a result did not finish: the ERROR line says why). */
  end(): void {
    this.stop.abort();
    const now = this.clock.now();
    for (const [name, at] of this.started) {
      if (!this.results.has(name)) this.results.set(name, { stream: name, ms: now - at });
    }
    for (const line of summaryLines([...this.results.values()], this.client.stats().byStream, now - this.runStarted)) log.info(line);
  }
}
