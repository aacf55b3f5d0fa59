/**
 * The one way the tests run the built CLI: a child process, as a user runs it. Every run is
 * guarded: the token of each --config file (or TAP_ROCKETCHAT_TOKEN with --config ENV) and any
 * extra secret must never appear on stdout (RECORDs, STATE) or stderr (logs, METRIC lines,
 * errors, --debug stack traces); a run that prints one fails when it closes.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseMessages, type SingerMessage } from './singer.js';

/** The built CLI. */
export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** More values that must never be printed (besides the tokens found in the configs). */
  secrets?: readonly string[];
  /** Default 60 s; then the tap is SIGKILLed and the run rejects. */
  timeoutMs?: number;
  /** Kill the tap with this signal once `killWhen` returns true for the stdout so far. */
  killSignal?: NodeJS.Signals;
  killWhen?: (stdout: string) => boolean;
  /** false: do not keep stdout in memory (huge runs); lines are still checked for secrets. */
  keepStdout?: boolean;
  /** Called with each complete stdout line, as it arrives. */
  onLine?: (line: string) => void;
}

export interface RawRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** All of stdout; with keepStdout false, only what followed the last newline. */
  stdout: string;
  stderr: string;
  /** performance.now() when the process closed. */
  closedAt: number;
}

export interface TapRun extends RawRun {
  /** stdout parsed as Singer messages (lazily: --discover and --about print other JSON). */
  readonly messages: SingerMessage[];
}

export interface SpawnedTap {
  /** stdout is piped to the caller, who may pause or destroy it; it is collected all the same. */
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves when the process closed, after the secret check. */
  done: Promise<RawRun>;
  /** The first complete stdout line; rejects if the process ends before writing one. */
  firstLine: Promise<string>;
  /** stdout received so far. */
  stdoutSoFar(): string;
  /** Whether the process has exited. */
  exited(): boolean;
  /** VmRSS of the child in KiB, or undefined once it is gone. */
  rssKiB(): number | undefined;
  /** SIGKILLs the process if it still runs (cleanup after a failed assertion). */
  stop(): void;
}

/** Tokens the run was given: each --config FILE's `token`, and TAP_ROCKETCHAT_TOKEN for --config ENV. */
export function secretsOf(args: readonly string[], env: NodeJS.ProcessEnv | undefined, extra: readonly string[] = []): string[] {
  const secrets = new Set<string>(extra);
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '--config' || args[i + 1] === undefined) continue;
    const source = args[i + 1]!;
    if (source === 'ENV') {
      const token = env?.TAP_ROCKETCHAT_TOKEN;
      if (token) secrets.add(token.trim());
      continue;
    }
    try {
      const config = JSON.parse(readFileSync(source, 'utf8')) as { token?: unknown };
      if (typeof config.token === 'string' && config.token.trim() !== '') secrets.add(config.token.trim());
    } catch {
      // not a readable JSON config (a bad-input test): nothing to guard from it
    }
  }
  return [...secrets].filter((s) => s.length >= 4);
}

export function assertNoSecrets(out: { stdout: string; stderr: string }, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!out.stdout.includes(secret), `a secret (${secret.slice(0, 3)}…) appeared on stdout`);
    assert.ok(!out.stderr.includes(secret), `a secret (${secret.slice(0, 3)}…) appeared on stderr:\n${out.stderr.replaceAll(secret, '[SECRET]').slice(-1500)}`);
  }
}

/** A promise settled from outside, for the first stdout line. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // only some tests wait for it
  return { promise, resolve, reject };
}

/** Starts the CLI; see SpawnedTap. */
export function spawnTap(args: readonly string[], options: RunOptions = {}): SpawnedTap {
  const secrets = secretsOf(args, options.env, options.secrets);
  const keep = options.keepStdout ?? true;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const first = deferred<string>();
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TAP_ROCKETCHAT_LOGLEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let partial = '';
  let head: string | undefined = ''; // stdout until its first newline; undefined after
  let leaked = false;
  let killed = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (head !== undefined) {
      head += chunk;
      const end = head.indexOf('\n');
      if (end >= 0) {
        first.resolve(head.slice(0, end));
        head = undefined;
      }
    }
    if (keep) stdout += chunk;
    if (!killed && options.killSignal && options.killWhen?.(stdout)) {
      killed = true;
      child.kill(options.killSignal);
    }
    if (keep && !options.onLine) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!keep && secrets.some((s) => line.includes(s))) leaked = true;
      options.onLine?.(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<RawRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tap did not finish within ${timeoutMs} ms; stderr:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (head !== undefined) first.reject(new Error(`the tap exited (code ${code}, signal ${signal}) before writing a line; stderr:\n${stderr.slice(-2000)}`));
      const run = { code, signal, stdout: keep ? stdout : partial, stderr, closedAt: performance.now() };
      try {
        assert.ok(!leaked, 'a secret appeared on stdout');
        assertNoSecrets(run, secrets);
        resolve(run);
      } catch (err) {
        reject(err);
      }
    });
  });
  // A test that fails before awaiting `done` must not leave an unhandled rejection behind.
  done.catch(() => undefined);
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    done,
    firstLine: first.promise,
    stdoutSoFar: () => stdout,
    exited: () => !running(),
    stop: () => {
      if (running()) child.kill('SIGKILL');
    },
    rssKiB: () => {
      const status = child.pid !== undefined && existsSync(`/proc/${child.pid}/status`) ? readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) : undefined;
    },
  };
}

/** Runs the CLI to its end: exit code, output and the parsed messages, after the secret check. */
export async function runTap(args: readonly string[], options: RunOptions = {}): Promise<TapRun> {
  const run = await spawnTap(args, options).done;
  return {
    ...run,
    get messages() {
      return parseMessages(run.stdout);
    },
  };
}

/** Spawns the CLI for `fn`, and SIGKILLs it afterwards if a failed assertion left it running. */
export async function withTap<T>(args: readonly string[], options: RunOptions, fn: (tap: SpawnedTap) => Promise<T>): Promise<T> {
  const tap = spawnTap(args, options);
  try {
    return await fn(tap);
  } finally {
    tap.stop();
  }
}

/** Polls `condition` every 10 ms until it holds; rejects after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A condition for waitUntil on a running tap: fails at once if the tap exited instead. */
export function whileRunning(tap: SpawnedTap, condition: () => boolean): () => boolean {
  return () => {
    if (tap.exited()) throw new Error('the tap exited before the condition was met');
    return condition();
  };
}

/** A temp dir for config, catalog and state files of one test. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tap-rocketchat-test-'));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** A catalog selecting only `streams` (in the shape of the tap's own --discover output). */
export function catalogOf(streams: readonly string[], dir = tempDir()): string {
  return writeJson(dir, 'catalog.json', {
    streams: streams.map((name) => ({ tap_stream_id: name, stream: name, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })),
  });
}
