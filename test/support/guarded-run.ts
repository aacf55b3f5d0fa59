/**
 * The one way the reliability, bad-input and security tests run the built CLI: every run goes
 * through `guard`, which asserts that the config's token (from each --config file, or
 * TAP_ROCKETCHAT_TOKEN with --config ENV) and any extra secret never appear on stdout (RECORDs,
 * STATE) or stderr (logs, METRIC lines, errors, --debug stack traces).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { Emulator, EmulatorOptions, IdentityName, StreamName } from '../../emulator/index.js';
import { startEmulator } from '../../emulator/index.js';
import { CLI, runTap, tempDir, writeJson, type RunOptions, type SingerMessage, type TapRun } from './run-tap.js';

export const ALL_STREAMS = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'] as const satisfies readonly StreamName[];

export interface GuardOptions {
  /** More values that must never be printed (besides the tokens found in the configs). */
  secrets?: readonly string[];
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

/** runTap, then the secret check. Every e2e run of these tests goes through here or spawnGuarded. */
export async function guardedRun(args: readonly string[], options: RunOptions & GuardOptions = {}): Promise<TapRun> {
  const secrets = secretsOf(args, options.env, options.secrets);
  const run = await runTap(args, options);
  assertNoSecrets(run, secrets);
  return run;
}

export interface RawRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** performance.now() when the process closed. */
  closedAt: number;
}

export interface SpawnedTap {
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

/**
 * Spawns the built CLI with stdout piped to the caller, who may pause or destroy it. stdout is
 * still collected (a 'data' listener; pausing the stream stops the flow all the same).
 */
export interface SpawnOptions extends GuardOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** false: do not keep stdout in memory (huge runs); lines are still checked for secrets. */
  keepStdout?: boolean;
  /** Called with each complete stdout line, as it arrives. */
  onLine?: (line: string) => void;
}

export function spawnGuarded(args: readonly string[], options: SpawnOptions = {}): SpawnedTap {
  const secrets = secretsOf(args, options.env, options.secrets);
  const keep = options.keepStdout ?? true;
  let partial = '';
  let leaked: string | undefined;
  let firstLineSeen = false;
  let resolveFirstLine!: (line: string) => void;
  let rejectFirstLine!: (err: Error) => void;
  const firstLine = new Promise<string>((resolve, reject) => {
    resolveFirstLine = resolve;
    rejectFirstLine = reject;
  });
  firstLine.catch(() => undefined); // only some tests wait for it
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, TAP_ROCKETCHAT_LOGLEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let head = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (!firstLineSeen) {
      head += chunk;
      const end = head.indexOf('\n');
      if (end >= 0) {
        firstLineSeen = true;
        resolveFirstLine(head.slice(0, end));
      }
    }
    if (keep) stdout += chunk;
    if (keep && !options.onLine) return;
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      if (!keep && secrets.some((s) => line.includes(s))) leaked ??= 'a secret appeared on stdout';
      options.onLine?.(line);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<RawRun>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tap did not finish within ${options.timeoutMs ?? 60000} ms; stderr:\n${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 60000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (!firstLineSeen) rejectFirstLine(new Error(`the tap exited (code ${code}, signal ${signal}) before writing a line; stderr:\n${stderr.slice(-2000)}`));
      const run = { code, signal, stdout: keep ? stdout : partial, stderr, closedAt: performance.now() };
      try {
        assert.equal(leaked, undefined);
        assertNoSecrets(run, secrets);
        resolve(run);
      } catch (err) {
        reject(err);
      }
    });
  });
  // A test that fails before awaiting `done` must not leave an unhandled rejection behind.
  done.catch(() => undefined);
  return {
    child,
    done,
    firstLine,
    stdoutSoFar: () => stdout,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    rssKiB: () => {
      const status = child.pid !== undefined && existsSync(`/proc/${child.pid}/status`) ? readFileSync(`/proc/${child.pid}/status`, 'utf8') : '';
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      return match ? Number(match[1]) : undefined;
    },
  };
}

/** stdout must be whole lines, each a JSON Singer message (nothing cut mid-line by a stop). */
export function assertWholeJsonLines(stdout: string): SingerMessage[] {
  if (stdout === '') return [];
  assert.ok(stdout.endsWith('\n'), `stdout ends mid-line: …${JSON.stringify(stdout.slice(-80))}`);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      let message: SingerMessage;
      try {
        message = JSON.parse(line) as SingerMessage;
      } catch {
        assert.fail(`stdout line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
      assert.ok(['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION'].includes(message.type), `line ${i + 1} is not a Singer message`);
      return message;
    });
}

/** The ERROR lines of the tap's log, message part only. */
export function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => / \| ERROR +\| /.test(line))
    .map((line) => line.replace(/^.*? \| ERROR +\| \S+ *\| /, ''));
}

export function warningLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => / \| WARNING +\| /.test(line))
    .map((line) => line.replace(/^.*? \| WARNING +\| \S+ *\| /, ''));
}

/**
 * A failed run as users must see it: the exit code, exactly one ERROR line (returned), no stack
 * trace, no "unexpected error" (a bug's message), and every other stderr line a log line.
 */
export function assertCleanFailure(run: { code: number | null; stderr: string }, code: number): string {
  assert.equal(run.code, code, `exit code; stderr:\n${run.stderr.slice(-3000)}`);
  const errors = errorLines(run.stderr);
  assert.equal(errors.length, 1, `exactly one ERROR line; stderr:\n${run.stderr.slice(-3000)}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace without --debug');
  assert.doesNotMatch(run.stderr, /unexpected error/i);
  for (const line of run.stderr.split('\n').filter((l) => l !== '')) {
    assert.match(line, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \| (DEBUG|INFO|WARNING|ERROR) +\| /, `every stderr line is a log line: ${line.slice(0, 200)}`);
  }
  return errors[0]!;
}

/** An emulator with the limiter off unless asked (most tests use the admin token, which bypasses it). */
export function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ rateLimit: false, ...options });
}

/** Config for `identity` on `emu`, fast retries and short timeouts. */
export function emuConfig(emu: Emulator, identity: IdentityName = 'admin', extra: Record<string, unknown> = {}, dir = tempDir()): string {
  const who = emu.identities[identity];
  return writeJson(dir, 'config.json', {
    endpoint: emu.url,
    user_id: who.userId,
    token: who.token,
    retry_backoff: 0.01,
    request_timeout: 2,
    max_retries: 3,
    ...extra,
  });
}

/** A catalog selecting only `streams` (from the tap's own --discover output shape). */
export function catalogOf(streams: readonly string[], dir = tempDir()): string {
  return writeJson(dir, 'catalog.json', {
    streams: streams.map((name) => ({ tap_stream_id: name, stream: name, metadata: [{ breadcrumb: [], metadata: { selected: true } }] })),
  });
}

export interface StreamCheck {
  stream: string;
  expected: number;
  emitted: number;
  duplicates: number;
}

/** Each stream's records equal the emulator's (by _id, exact set), none twice. */
export function assertExactStreams(
  messages: readonly SingerMessage[],
  emu: Emulator,
  identity: IdentityName = 'admin',
  streams: readonly StreamName[] = ALL_STREAMS,
): StreamCheck[] {
  return streams.map((stream) => {
    const ids = messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record!._id);
    const unique = new Set(ids);
    const expected = emu.expected(stream, identity).map((d) => d._id as string);
    const missing = expected.filter((id) => !unique.has(id));
    const extra = [...unique].filter((id) => !expected.includes(id));
    assert.equal(ids.length - unique.size, 0, `${stream}: ${ids.length - unique.size} duplicate records`);
    assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${stream}: records differ from the server's`);
    return { stream, expected: expected.length, emitted: ids.length, duplicates: ids.length - unique.size };
  });
}

/** The V8 text of JSON.parse's error for `text`, so "not valid JSON" messages can be asserted exactly. */
export function jsonErrorOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('text is valid JSON');
}

export { tempDir, writeJson };
