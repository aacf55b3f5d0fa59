import { setMaxListeners } from 'node:events';
import { readCatalogFile, selectStreams } from './catalog.js';
import { createClient } from './client-options.js';
import { loadSettings } from './config.js';
import { InterruptedError } from './errors.js';
import { logger, setMetricsLogLevel } from './log.js';
import { timer } from './metrics.js';
import { SingerWriter } from './output.js';
import { RunReport } from './run-report.js';
import { readStateFile, StateTracker } from './state.js';
import { StreamsSkippedError } from './skip.js';
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
 * within the client's global cap on requests in flight. The first failure stops the others;
 * STATE already written for finished streams stands.
 */
export async function runSync(options: SyncOptions): Promise<void> {
  const settings = await loadSettings(options.configSources);
  setMetricsLogLevel(settings.metricsLogLevel);
  const catalog = options.catalogPath ? await readCatalogFile(options.catalogPath) : undefined;
  const selected = selectStreams(catalog, options.catalogPath);
  const state = new StateTracker(options.statePath ? await readStateFile(options.statePath) : undefined);
  if (selected.length === 0) log.warn('no stream is selected in the catalog: nothing to sync');

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
  let failure: unknown;
  const skipped: string[] = [];
  try {
    if (settings.scope === 'workspace') await checkWorkspaceScope(client, selected, controller.signal);
    await writer.state(state.value());
    const settled = Promise.allSettled(
      selected.map((sel) =>
        report.stream(sel.def.name, () => syncStream(sel, { client, writer, state, settings, signal: controller.signal, runStartedMs: started, progress: report.progress })).then((summary) => {
          if (summary.skipped) skipped.push(summary.stream);
          return summary;
        }, (err: unknown) => {
          if (!controller.signal.aborted) controller.abort(err);
          throw err;
        }),
      ),
    );
    // A stream blocked on a stalled reader never sees the abort: after a signal, do not wait for it.
    await Promise.race([settled, interrupted(controller.signal)]);
    if (controller.signal.aborted) failure = controller.signal.reason;
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
