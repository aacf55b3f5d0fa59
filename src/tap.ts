import { setMaxListeners } from 'node:events';
import { readCatalogFile, selectStreams } from './catalog.js';
import { createClient } from './client-options.js';
import { loadSettings } from './config.js';
import { InterruptedError, errorMessage } from './errors.js';
import { logger, setMetricsLogLevel } from './log.js';
import { timer } from './metrics.js';
import { SingerWriter } from './output.js';
import { RunReport } from './run-report.js';
import { readStateFile, StateTracker } from './state.js';
import { StreamsSkippedError } from './skip.js';
import { StreamsFailedError, stopsTheRun } from './stream-failures.js';
import { syncStream } from './sync-stream.js';
import { checkWorkspaceScope } from './workspace-check.js';

const log = logger('tap-rocketchat');

export interface SyncOptions {
  configSources: readonly string[];
  catalogPath?: string;
  statePath?: string;
}

/** Stops the run on SIGTERM/SIGINT: in-flight requests are aborted, written output is flushed. */
function abortOnSignals(controller: AbortController): () => void {
  const handlers = (['SIGTERM', 'SIGINT'] as const).map((signal) => {
    const handler = (): void => controller.abort(new InterruptedError(signal));
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
}

/**
 * Sync mode: every selected stream runs at once (each route has its own rate-limit budget),
 * within the client's global cap on requests in flight. A stream that fails on its own (a 403,
 * a route out of retries: src/stream-failures.ts) stops alone, and the others finish and write
 * their STATE; the run then fails with one line naming each failed stream. A failure every
 * stream would hit (401, an unreachable endpoint, a signal) stops them all at once.
 */
export async function runSync(options: SyncOptions): Promise<void> {
  const settings = await loadSettings(options.configSources);
  setMetricsLogLevel(settings.metricsLogLevel);
  const catalog = options.catalogPath ? await readCatalogFile(options.catalogPath) : undefined;
  const selected = selectStreams(catalog, options.catalogPath);
  const state = new StateTracker(options.statePath ? await readStateFile(options.statePath) : undefined);
  if (selected.length === 0) log.warn('no stream is selected in the catalog: nothing to sync');
  warnFutureStartDate(settings.startDate, Date.now());

  const writer = new SingerWriter();
  const client = createClient(settings);
  const controller = new AbortController();
  // Every request, backoff and rate-limit wait in flight listens to this one signal (and removes
  // its listener when done); rooms read in parallel behind a shared budget easily pass Node's
  // default of 10, which would print a MaxListenersExceededWarning into the logs.
  setMaxListeners(0, controller.signal);
  const removeSignalHandlers = abortOnSignals(controller);
  const report = new RunReport(client);
  const started = Date.now();
  const failed = new Map<string, unknown>();
  let failure: unknown;
  const skipped: string[] = [];
  try {
    if (settings.scope === 'workspace') await checkWorkspaceScope(client, selected, controller.signal);
    await writer.stateParts(state.jsonParts());
    const settled = Promise.allSettled(
      selected.map((sel) => {
        // Its own signal too, so a failed stream's read-ahead pages and retries stop with it.
        const own = new AbortController();
        const signal = AbortSignal.any([controller.signal, own.signal]);
        setMaxListeners(0, signal);
        const ctx = { client, writer, state, settings, signal, runStartedMs: started, progress: report.progress };
        return report.stream(sel.def.name, () => syncStream(sel, ctx)).then((summary) => {
          if (summary.skipped) skipped.push(summary.stream);
          return summary;
        }, (err: unknown) => {
          if (controller.signal.aborted) throw err;
          if (stopsTheRun(err)) controller.abort(err);
          else {
            failed.set(sel.def.name, err);
            own.abort(err);
            if (selected.length > 1) log.warn(`stream ${sel.def.name} failed, the other streams go on: ${errorMessage(err)}`);
          }
          throw err;
        });
      }),
    );
    // A stream blocked on a stalled reader never sees the abort: after a signal, do not wait for it.
    await Promise.race([settled, interrupted(controller.signal)]);
    if (controller.signal.aborted) failure = controller.signal.reason;
    else if (failed.size > 0) {
      const failures = selected.filter((x) => failed.has(x.def.name)).map((x) => ({ stream: x.def.name, error: failed.get(x.def.name) }));
      failure = new StreamsFailedError(failures, selected.length);
    }
  } catch (err) {
    failure = err;
  } finally {
    report.end();
    removeSignalHandlers();
    client.close();
  }
  await flushWithin(writer, failure instanceof InterruptedError ? INTERRUPTED_FLUSH_MS : undefined);
  timer('job_duration', (Date.now() - started) / 1000, { job_type: 'sync', status: failure ? 'failed' : 'succeeded' });
  if (failure) throw failure;
  if (skipped.length > 0) throw new StreamsSkippedError(skipped);
}

/** A start_date after now selects nothing on a first run: almost always a typo. */
function warnFutureStartDate(startDate: string | undefined, nowMs: number): void {
  if (startDate !== undefined && Date.parse(startDate) > nowMs) {
    log.warn(`config: start_date ${startDate} is in the future: a first run of rooms, subscriptions and messages reads nothing until then`);
  }
}

/** How long a signalled run may spend flushing what it buffered to a reader that does not read. */
const INTERRUPTED_FLUSH_MS = 1000;

/** Resolves (with nothing) when the run is aborted by SIGTERM or SIGINT. */
function interrupted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (signal.reason instanceof InterruptedError) resolve(undefined);
    };
    if (signal.aborted) check();
    else signal.addEventListener('abort', check, { once: true });
  });
}

/** After a signal the tap must exit promptly even if the reader stalls: bound the final flush. */
async function flushWithin(writer: SingerWriter, limitMs: number | undefined): Promise<void> {
  const flushed = writer.end();
  if (limitMs === undefined) return flushed;
  flushed.catch(() => undefined);
  await Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, limitMs).unref())]);
}
