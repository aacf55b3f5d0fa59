/**
 * Runs one measured child process: wall time from spawn to exit, stdout drained through a pipe
 * (lines, bytes and RECORD lines counted, nothing stored), stderr drained (only its tail kept),
 * and peak RSS read from the OS.
 *
 * Peak RSS comes from two sources:
 *  - GNU `/usr/bin/time -f %M` when it exists: the kernel's ru_maxrss of the process at exit (exact);
 *  - polling /proc/<pid>/status every `pollMs` for VmHWM (the kernel's high-water mark, monotonic),
 *    which can miss only growth in the last poll interval before exit.
 * The report uses the first when available, else the second.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

let timeChecked;
/** True if /usr/bin/time is GNU time (supports -f and -o). */
export function hasGnuTime() {
  if (timeChecked !== undefined) return timeChecked;
  timeChecked = false;
  if (!existsSync(GNU_TIME)) return false;
  try {
    const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
    timeChecked = probe.status === 0 && /^\d+\s*$/m.test(probe.stderr);
  } catch {
    timeChecked = false;
  }
  return timeChecked;
}

/** VmHWM (peak resident set) of a live process, in KiB, or undefined if it is gone. */
async function readHwmKb(pid) {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime of a live process, in ms (clock ticks of 10 ms, USER_HZ 100 on Linux). */
async function readCpuMs(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (the measured program when it runs under /usr/bin/time). */
function childOf(pid) {
  try {
    const list = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return list ? Number(list.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

let seq = 0;

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{env?: NodeJS.ProcessEnv, cwd?: string, pollMs?: number, timeoutMs?: number, useTime?: boolean, keepStdout?: boolean}} [opts]
 */
export function measure(cmd, args, opts = {}) {
  const pollMs = opts.pollMs ?? 20;
  const useTime = (opts.useTime ?? true) && hasGnuTime();
  const timeFile = join(tmpdir(), `tap-bench-time-${process.pid}-${++seq}.txt`);
  const [file, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, cmd, ...args]] : [cmd, args];

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdoutBytes = 0;
    let lines = 0;
    let records = 0;
    // The first bytes of the current line (enough to see `{"type":"RECORD"` or `{"type": "RECORD"`).
    let head = '';
    let headDone = false;
    const HEAD = 24;
    let kept = '';
    child.stdout.on('data', (chunk) => {
      stdoutBytes += chunk.length;
      if (opts.keepStdout && kept.length < 1 << 20) kept += chunk.toString('utf8');
      let pos = 0;
      while (pos < chunk.length) {
        const nl = chunk.indexOf(10, pos);
        const end = nl === -1 ? chunk.length : nl;
        if (!headDone) {
          head += chunk.toString('latin1', pos, Math.min(end, pos + HEAD - head.length));
          if (head.length >= HEAD) headDone = true;
        }
        if (nl === -1) break;
        lines++;
        if (head.includes('"RECORD"')) records++;
        head = '';
        headDone = false;
        pos = nl + 1;
      }
    });
    let stderrBytes = 0;
    let stderrTail = '';
    child.stderr.on('data', (chunk) => {
      stderrBytes += chunk.length;
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-16_384);
    });

    let polledKb = 0;
    let polledCpuMs;
    let targetPid = useTime ? undefined : child.pid;
    let polling = false;
    const poll = setInterval(async () => {
      if (polling) return;
      polling = true;
      try {
        if (targetPid === undefined && child.pid !== undefined) targetPid = childOf(child.pid);
        if (targetPid !== undefined) {
          const kb = await readHwmKb(targetPid);
          if (kb !== undefined && kb > polledKb) polledKb = kb;
          const cpu = await readCpuMs(targetPid);
          if (cpu !== undefined) polledCpuMs = cpu;
        }
      } finally {
        polling = false;
      }
    }, pollMs);

    let timer;
    if (opts.timeoutMs) {
      timer = setTimeout(() => {
        child.kill('SIGTERM');
      }, opts.timeoutMs);
    }
    child.on('error', (err) => {
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - started;
      clearInterval(poll);
      if (timer) clearTimeout(timer);
      let maxRssKb;
      let cpuMs;
      let exitCode = code;
      if (useTime) {
        try {
          const text = readFileSync(timeFile, 'utf8');
          // GNU time writes "Command exited with non-zero status N" before the format line.
          const m = /(\d+) (\d+\.\d+) (\d+\.\d+)\s*$/.exec(text.trim());
          if (m) {
            maxRssKb = Number(m[1]);
            cpuMs = (Number(m[2]) + Number(m[3])) * 1000;
          }
          const st = /exited with non-zero status (\d+)/.exec(text);
          if (st) exitCode = Number(st[1]);
          const sig = /terminated by signal (\d+)/.exec(text);
          if (sig) exitCode = 128 + Number(sig[1]);
        } catch {
          /* no file: time itself failed */
        }
        rmSync(timeFile, { force: true });
      }
      resolve({
        wallMs,
        exitCode,
        signal,
        stdoutBytes,
        lines,
        records,
        stderrBytes,
        stderrTail,
        peakRssKb: maxRssKb ?? (polledKb || undefined),
        polledHwmKb: polledKb || undefined,
        cpuMs: cpuMs ?? polledCpuMs,
        rssSource: maxRssKb !== undefined ? 'ru_maxrss (/usr/bin/time)' : 'VmHWM poll',
        ...(opts.keepStdout ? { stdout: kept } : {}),
      });
    });
  });
}

/** Spawns a process and waits for its first stdout line (a JSON object). */
export function spawnWithJsonLine(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const fail = (e) => {
      if (done) return;
      done = true;
      child.kill('SIGTERM');
      reject(e);
    };
    const timer = setTimeout(() => fail(new Error(`${cmd} ${args.join(' ')}: no JSON line within ${opts.timeoutMs ?? 120000} ms; stderr: ${err.slice(-2000)}`)), opts.timeoutMs ?? 120_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      if (done) return;
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl === -1) return;
      done = true;
      clearTimeout(timer);
      try {
        resolve({ child, json: JSON.parse(out.slice(0, nl)), stderr: () => err });
      } catch (e) {
        child.kill('SIGTERM');
        reject(e);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      err = (err + chunk).slice(-32_768);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${cmd} exited with ${code} before printing its JSON line; stderr: ${err.slice(-2000)}`));
    });
  });
}

/** Runs a command to completion, collecting stdout and stderr (for small outputs only). */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr = (stderr + c).slice(-65_536);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
