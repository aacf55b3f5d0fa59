/**
 * The run's closing summary: one log line per stream (records, deletions, requests, retries,
 * 429s, time; or why it failed), then one line for the run. Pure: numbers in, lines out.
 */
import type { StreamRequestStats } from './client.js';
import { duration } from './progress.js';

export interface StreamResult {
  stream: string;
  /** Undefined for a stream that did not finish. */
  records?: number;
  deletions?: number;
  /** An optional stream the workspace or token could not serve (src/skip.ts). */
  skipped?: boolean;
  /** How long the stream took (until it finished or the run ended). */
  ms: number;
}

const NO_REQUESTS: StreamRequestStats = { requests: 0, retries: 0, rateLimited: 0 };

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export function summaryLines(results: readonly StreamResult[], byStream: Record<string, StreamRequestStats>, runMs: number): string[] {
  const lines: string[] = [];
  const total = { records: 0, deletions: 0, ...NO_REQUESTS };
  // A run that stopped before any stream got anywhere (nothing listening, bad credentials) gets the total alone.
  const anything = results.some((r) => r.records !== undefined || (byStream[r.stream]?.requests ?? 0) > 1);
  for (const r of [...results].sort((a, b) => a.stream.localeCompare(b.stream))) {
    const req = byStream[r.stream] ?? NO_REQUESTS;
    total.records += r.records ?? 0;
    total.deletions += r.deletions ?? 0;
    total.requests += req.requests;
    total.retries += req.retries;
    total.rateLimited += req.rateLimited;
    const what = r.records === undefined ? 'did not finish' : r.skipped ? 'skipped (see the warning)' : `${plural(r.records, 'record')}, ${plural(r.deletions ?? 0, 'deletion')}`;
    if (anything) lines.push(`summary ${r.stream}: ${what}; ${plural(req.requests, 'request')}, ${plural(req.retries, 'retry', 'retries')}, ${plural(req.rateLimited, '429')}; ${duration(r.ms)}`);
  }
  lines.push(
    `summary: ${plural(results.length, 'stream')}, ${plural(total.records, 'record')}, ${plural(total.deletions, 'deletion')}; ` +
      `${plural(total.requests, 'request')}, ${plural(total.retries, 'retry', 'retries')}, ${plural(total.rateLimited, '429')}; ${duration(runMs)}`,
  );
  return lines;
}
