import { logger, metricEnabled } from './log.js';

/**
 * Singer METRIC lines on stderr, shaped like the Meltano SDK's
 * (`METRIC: {"type":"counter","metric":"record_count","value":100,"tags":{"stream":"users"}}`).
 * The `metrics_log_level` setting (as in the Meltano SDK) chooses how many: `info` (the default)
 * writes the per-stream and per-run ones (record_count, sync_duration, job_duration); `debug` adds
 * one http_request_duration per request; `warning` or `error` writes none.
 */
const log = logger('tap-rocketchat.metrics');

/** Metrics written once per request: only with metrics_log_level debug. */
const PER_REQUEST = new Set(['http_request_duration']);

/** Counters are flushed at most this often while a stream runs, and at its end (as the SDK does). */
const COUNTER_FLUSH_MS = 60_000;

export type MetricTags = Record<string, string | number>;

function emit(type: 'counter' | 'timer', metric: string, value: number, tags: MetricTags): void {
  if (!metricEnabled(PER_REQUEST.has(metric) ? 'debug' : 'info')) return;
  log.info(`METRIC: ${JSON.stringify({ type, metric, value, tags: { ...tags, pid: process.pid } })}`);
}

export function timer(metric: string, seconds: number, tags: MetricTags): void {
  emit('timer', metric, Number(seconds.toFixed(6)), tags);
}

/** A counter that reports what it counted since its last report. */
export class Counter {
  private value = 0;
  private lastFlush = Date.now();

  constructor(private readonly metric: string, private readonly tags: MetricTags) {}

  add(n: number): void {
    this.value += n;
    if (Date.now() - this.lastFlush >= COUNTER_FLUSH_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = Date.now();
    if (this.value === 0) return;
    emit('counter', this.metric, this.value, this.tags);
    this.value = 0;
  }
}
