import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built CLI, run as a user runs it: a child process. */
export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface SingerMessage {
  type: string;
  stream?: string;
  record?: Record<string, unknown> & { _id: string };
  schema?: Record<string, unknown>;
  key_properties?: string[];
  bookmark_properties?: string[];
  value?: { bookmarks: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  time_extracted?: string;
  version?: number;
}

export interface TapRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  messages: SingerMessage[];
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill the tap with this signal once `killWhen` returns true for the stdout so far. */
  killSignal?: NodeJS.Signals;
  killWhen?: (stdout: string) => boolean;
  timeoutMs?: number;
}

export function runTap(args: readonly string[], options: RunOptions = {}): Promise<TapRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, TAP_ROCKETCHAT_LOGLEVEL: 'info', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tap did not finish within ${options.timeoutMs ?? 60000} ms; stderr:\n${stderr.slice(-2000)}`));
    }, options.timeoutMs ?? 60000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!killed && options.killSignal && options.killWhen?.(stdout)) {
        killed = true;
        child.kill(options.killSignal);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code, signal, stdout, stderr,
        // --discover and --about print other JSON; parse lazily so those runs can read stdout.
        get messages() { return parseMessages(stdout); },
      });
    });
  });
}

export function parseMessages(stdout: string): SingerMessage[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as SingerMessage);
}

export function recordsOf(messages: readonly SingerMessage[], stream: string): Array<Record<string, unknown> & { _id: string }> {
  return messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record!);
}

export function lastState(messages: readonly SingerMessage[]): SingerMessage['value'] | undefined {
  return messages.filter((m) => m.type === 'STATE').at(-1)?.value;
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
