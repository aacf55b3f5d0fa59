#!/usr/bin/env node
/**
 * tap-rocketchat benchmark. `npm run bench` builds, then runs this file.
 *
 * Starts the bundled emulator (dist/emulator/cli.js) as a separate process per dataset, runs the
 * BUILT CLI (dist/src/cli.js) as a child process writing into a pipe that this process drains
 * (lines and bytes counted, nothing stored), and records per run: wall time, records/s, requests
 * and 429s (from the emulator's /_emulator/stats), and peak RSS of the tap process from the OS.
 * Every scenario also runs the floor (bench/floor.mjs: the same pages, only JSON.parse) and, for
 * the comparison scenarios, the Airbyte connector (bench/lib/airbyte.mjs).
 *
 * Writes docs/benchmarks.md and docs/benchmarks.svg (unless --quick or --no-write). See --help.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureAirbyte, airbyteCatalog, AIRBYTE_PACKAGE } from './lib/airbyte.mjs';
import { EmulatorProcess, statsDiff } from './lib/emulator.mjs';
import { measure, median, run, hasGnuTime } from './lib/proc.mjs';
import { summariseProfile } from './lib/profile.mjs';
import { renderMarkdown, renderSvg } from './lib/report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TAP = join(ROOT, 'dist', 'src', 'cli.js');
const FLOOR = join(ROOT, 'bench', 'floor.mjs');
const ALL = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'];

const USAGE = `usage: npm run bench -- [options]        (or: node bench/run.mjs [options] after npm run build)

  --quick                   small smoke run (about 2 minutes); prints the table, writes no docs
  --with-1m                 add the 1,000,000-user scenario (admin, users stream)
  --airbyte / --no-airbyte  run the Airbyte connector comparison (default: on, off with --quick)
  --profile                 also profile the tap (node --cpu-prof) on the admin users case at the
                            largest default size and add the top costs to the report
  --only ID[,ID]            run only these scenarios (ids as in the report)
  --repeat N                runs of tap and floor per unthrottled scenario; the median is reported (default 5; 1 with --quick)
  --sizes N[,N]             users for the admin users-stream scenarios (default 10000,100000)
  --latency-ms N            latency per request of the latency scenario (default 50)
  --name-chars N            display-name length in the text-heavy users scenario (default 300)
  --latency-users N         users in the latency scenario (default 100000)
  --all-users N             users in the admin all-streams scenario (default 100000)
  --limited-users N         users in the rate-limited scenarios (default 3000)
  --rate-limit-calls N      calls per window (default 10)
  --rate-limit-window-ms N  window length (default 3000)
  --airbyte-users N         users in the admin Airbyte comparison, all six streams (default 2000)
  --airbyte-limited-users N users in the rate-limited Airbyte comparison, users stream (default 20)
  --messages N[,N]          messages in the admin messages-stream scenarios (default 100000,1000000; --quick 20000)
  --messages-rooms C,P,D,X  channels, private groups, direct messages, discussions of those datasets
                            (default 700,150,150,20: 1,014 rooms with the emulator's livechat rooms)
  --messages-repeat N       runs of tap and floor per admin messages scenario (default 3; 1 with --quick)
  --limited-messages N      messages in the rate-limited messages scenario (default 20000; emulator's default rooms)
  --no-messages             skip the messages scenarios
  --about-runs N            runs of --about and --discover for their medians (default 10)
  --out FILE                markdown report (default docs/benchmarks.md; with --quick: none)
  --svg FILE                chart (default next to the report, .svg)
  --json FILE               also write the raw results as JSON
  --no-write                write no report
  --wait-quiet SECONDS      first wait up to SECONDS for the 1-minute load average to fall below 1
                            (a shared machine: other jobs distort wall times)
`;

const { values: opt } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'with-1m': { type: 'boolean', default: false },
    airbyte: { type: 'boolean' },
    'no-airbyte': { type: 'boolean' },
    profile: { type: 'boolean', default: false },
    only: { type: 'string' },
    repeat: { type: 'string' },
    sizes: { type: 'string' },
    'latency-ms': { type: 'string' },
    'name-chars': { type: 'string' },
    'latency-users': { type: 'string' },
    'all-users': { type: 'string' },
    'limited-users': { type: 'string' },
    'rate-limit-calls': { type: 'string' },
    'rate-limit-window-ms': { type: 'string' },
    'airbyte-users': { type: 'string' },
    'airbyte-limited-users': { type: 'string' },
    'about-runs': { type: 'string' },
    messages: { type: 'string' },
    'messages-rooms': { type: 'string' },
    'messages-repeat': { type: 'string' },
    'limited-messages': { type: 'string' },
    'no-messages': { type: 'boolean', default: false },
    out: { type: 'string' },
    svg: { type: 'string' },
    json: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    'wait-quiet': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opt.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

const quick = opt.quick;
const int = (v, d) => {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`bench: expected a non-negative integer, got ${v}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const P = {
  sizes: (opt.sizes ?? (quick ? '2000,20000' : '10000,100000')).split(',').map((s) => int(s)),
  latencyMs: int(opt['latency-ms'], 50),
  nameChars: int(opt['name-chars'], 300),
  latencyUsers: int(opt['latency-users'], quick ? 20_000 : 100_000),
  allUsers: int(opt['all-users'], quick ? 20_000 : 100_000),
  limitedUsers: int(opt['limited-users'], quick ? 1500 : 3000),
  rlCalls: int(opt['rate-limit-calls'], 10),
  rlWindowMs: int(opt['rate-limit-window-ms'], 3000),
  airbyteUsers: int(opt['airbyte-users'], quick ? 300 : 2000),
  airbyteLimitedUsers: int(opt['airbyte-limited-users'], quick ? 10 : 20),
  repeat: Math.max(1, int(opt.repeat, quick ? 1 : 5)),
  aboutRuns: Math.max(1, int(opt['about-runs'], quick ? 5 : 10)),
  messages: opt['no-messages'] ? [] : (opt.messages ?? (quick ? '20000' : '100000,1000000')).split(',').map((s) => int(s)),
  messagesRooms: (opt['messages-rooms'] ?? '700,150,150,20').split(',').map((s) => int(s)),
  messagesRepeat: Math.max(1, int(opt['messages-repeat'], quick ? 1 : 3)),
  limitedMessages: int(opt['limited-messages'], quick ? 3000 : 20_000),
  /** Rocket.Chat's default budget, for the arithmetic of a real run (10 calls per 60 s). */
  realLimit: { calls: 10, windowMs: 60_000 },
};
const withAirbyte = opt['no-airbyte'] ? false : (opt.airbyte ?? !quick);
const outPath = opt['no-write'] ? undefined : opt.out ? resolve(opt.out) : quick ? undefined : join(ROOT, 'docs', 'benchmarks.md');
const svgPath = outPath ? (opt.svg ? resolve(opt.svg) : outPath.replace(/\.md$/, '') + '.svg') : undefined;

const log = (line) => process.stderr.write(`bench: ${line}\n`);
const fmtS = (ms) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const k = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1000 ? `${n / 1000}k` : String(n));

// ---------------------------------------------------------------------------------------------
// Scenarios

const limited = { calls: P.rlCalls, windowMs: P.rlWindowMs };
const largest = Math.max(...P.sizes);
const scenarios = [];
for (const users of P.sizes) {
  scenarios.push({ id: `admin-users-${k(users)}`, group: 'admin', title: `admin token, users stream, ${users.toLocaleString('en')} users`, users, identity: 'admin', streams: ['users'] });
}
// Display names of nameChars characters, every one with JSON escapes and non-ASCII text: the
// record path on text-heavy records (emulator --user-name-chars).
scenarios.push({
  id: `admin-users-${k(largest)}-text`, group: 'admin', textHeavy: true,
  title: `admin token, users stream, ${largest.toLocaleString('en')} users with ${P.nameChars}-character names (escapes, non-ASCII)`,
  users: largest, identity: 'admin', streams: ['users'], emulatorArgs: ['--users', String(largest), '--user-name-chars', String(P.nameChars)],
});
if (opt['with-1m']) {
  scenarios.push({ id: 'admin-users-1M', group: 'admin', title: 'admin token, users stream, 1,000,000 users', users: 1_000_000, identity: 'admin', streams: ['users'] });
}
scenarios.push({
  id: `admin-users-${k(P.latencyUsers)}-latency${P.latencyMs}`, group: 'admin',
  title: `admin token, users stream, ${P.latencyUsers.toLocaleString('en')} users, ${P.latencyMs} ms latency per request`,
  users: P.latencyUsers, identity: 'admin', streams: ['users'], latencyMs: P.latencyMs,
});
scenarios.push({ id: `admin-all-${k(P.allUsers)}`, group: 'admin', title: `admin token, all six streams, ${P.allUsers.toLocaleString('en')} users`, users: P.allUsers, identity: 'admin', streams: ALL });
scenarios.push({
  id: `user-users-${k(P.limitedUsers)}-limited`, group: 'limited',
  title: `ordinary token, rate limited ${P.rlCalls}/${P.rlWindowMs} ms, users stream, ${P.limitedUsers.toLocaleString('en')} users`,
  users: P.limitedUsers, identity: 'user', streams: ['users'], rateLimit: limited,
});
scenarios.push({
  id: `user-all-${k(P.limitedUsers)}-limited`, group: 'limited',
  title: `ordinary token, rate limited ${P.rlCalls}/${P.rlWindowMs} ms, all six streams, ${P.limitedUsers.toLocaleString('en')} users`,
  users: P.limitedUsers, identity: 'user', streams: ALL, rateLimit: limited,
});
if (withAirbyte) {
  scenarios.push({
    id: `airbyte-admin-all-${k(P.airbyteUsers)}`, group: 'airbyte',
    title: `vs Airbyte: admin token, all six streams, ${P.airbyteUsers.toLocaleString('en')} users`,
    users: P.airbyteUsers, identity: 'admin', streams: ALL, airbyte: true,
  });
  scenarios.push({
    id: `airbyte-user-users-${k(P.airbyteLimitedUsers)}-limited`, group: 'airbyte',
    title: `vs Airbyte: ordinary token, rate limited ${P.rlCalls}/${P.rlWindowMs} ms, users stream, ${P.airbyteLimitedUsers} users`,
    users: P.airbyteLimitedUsers, identity: 'user', streams: ['users'], rateLimit: limited, airbyte: true,
  });
}
const [mc, mp, md, mx] = P.messagesRooms;
const roomArgs = ['--channels', String(mc), '--private-groups', String(mp), '--direct-messages', String(md), '--discussions', String(mx)];
for (const messages of P.messages) {
  scenarios.push({
    id: `admin-messages-${k(messages)}`, group: 'messages',
    title: `admin token, messages stream, ${messages.toLocaleString('en')} messages over ${P.messagesRooms.join('/')} channels/groups/DMs/discussions`,
    messages, identity: 'admin', streams: ['messages'], emulatorArgs: ['--messages', String(messages), ...roomArgs],
    repeat: P.messagesRepeat, realBudgetFor: 'user',
  });
}
if (P.messages.length) {
  scenarios.push({
    id: `user-messages-${k(P.limitedMessages)}-limited`, group: 'limited',
    title: `ordinary token, rate limited ${P.rlCalls}/${P.rlWindowMs} ms, messages stream, ${P.limitedMessages.toLocaleString('en')} messages (default rooms)`,
    messages: P.limitedMessages, identity: 'user', streams: ['messages'], rateLimit: limited, emulatorArgs: ['--messages', String(P.limitedMessages)],
  });
}
const only = opt.only?.split(',').map((s) => s.trim());
const selected = only ? scenarios.filter((s) => only.includes(s.id)) : scenarios;
if (only && selected.length !== only.length) {
  process.stderr.write(`bench: unknown scenario in --only; ids: ${scenarios.map((s) => s.id).join(', ')}\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Helpers

const work = mkdtempSync(join(os.tmpdir(), 'tap-bench-'));
let fileSeq = 0;
const writeJson = (name, value) => {
  const path = join(work, `${++fileSeq}-${name}`);
  writeFileSync(path, JSON.stringify(value));
  return path;
};

let emulator;
let emulatorKey;
async function emulatorFor(s) {
  const rl = s.rateLimit ? ['--rate-limit-calls', String(s.rateLimit.calls), '--rate-limit-window-ms', String(s.rateLimit.windowMs)] : ['--no-rate-limit'];
  const data = s.emulatorArgs ?? ['--users', String(s.users)];
  const key = JSON.stringify([data, rl]);
  if (emulator && emulatorKey === key) return emulator;
  if (emulator) await emulator.stop();
  log(`starting emulator: ${data.join(' ')}, ${s.rateLimit ? `rate limit ${s.rateLimit.calls}/${s.rateLimit.windowMs} ms` : 'no rate limit'}`);
  emulator = await EmulatorProcess.start(ROOT, [...data, ...rl]);
  emulatorKey = key;
  return emulator;
}

/** The tap's catalog with only `streams` selected. */
let discovered;
async function tapCatalog(configPath, streams) {
  if (!discovered) {
    const r = await run(process.execPath, [TAP, '--config', configPath, '--discover']);
    if (r.code !== 0) throw new Error(`tap --discover failed (${r.code}): ${r.stderr.slice(-1000)}`);
    discovered = JSON.parse(r.stdout);
  }
  const catalog = structuredClone(discovered);
  for (const entry of catalog.streams) {
    const top = entry.metadata.find((m) => m.breadcrumb.length === 0);
    top.metadata.selected = streams.includes(entry.stream);
  }
  return catalog;
}

/** One measured run of a command against the emulator, with the emulator's request counts. */
async function measured(emu, s, cmd, args, opts = {}) {
  if (s.rateLimit) await emu.resetRateLimit(); // every run starts at the beginning of a fresh window
  const before = await emu.stats();
  const load1 = os.loadavg()[0];
  const m = await measure(cmd, args, { timeoutMs: opts.timeoutMs ?? 30 * 60_000, cwd: opts.cwd ?? work, keepStdout: opts.keepStdout });
  const after = await emu.stats();
  const d = statsDiff(before, after);
  const result = {
    wallMs: m.wallMs,
    cpuMs: m.cpuMs,
    load1,
    exitCode: m.exitCode,
    records: m.records,
    stdoutBytes: m.stdoutBytes,
    stderrBytes: m.stderrBytes,
    peakRssKb: m.peakRssKb,
    polledHwmKb: m.polledHwmKb,
    rssSource: m.rssSource,
    requests: d.requests,
    rateLimited: d.rateLimited,
    byRoute: d.byRoute,
  };
  if (m.exitCode !== 0) result.error = `exit ${m.exitCode}: ${m.stderrTail.trim().split('\n').slice(-3).join(' | ').slice(0, 600)}`;
  if (opts.keepStdout) result.stdout = m.stdout;
  return result;
}

function pickMedian(runs) {
  const ok = runs.filter((r) => !r.error);
  const pool = ok.length ? ok : runs;
  const sorted = [...pool].sort((a, b) => a.wallMs - b.wallMs);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Fastest finish any client can reach under fixed windows: per route, ceil(calls / limit) - 1 full windows. */
function rateLimitBound(byRoute, rl) {
  let ms = 0;
  const calls = {};
  for (const [route, r] of Object.entries(byRoute)) {
    calls[route] = r.ok;
    ms = Math.max(ms, (Math.ceil(r.ok / rl.calls) - 1) * rl.windowMs);
  }
  return { ms, calls };
}

// ---------------------------------------------------------------------------------------------
// Runs

const results = {
  startedAt: new Date().toISOString(),
  params: P,
  quick,
  machine: machineFacts(),
  scenarios: [],
};

function machineFacts() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    rssMethod: hasGnuTime() ? 'ru_maxrss of the process at exit, from GNU /usr/bin/time -f %M' : 'VmHWM from /proc/<pid>/status, polled every 20 ms',
  };
}

async function gitFacts() {
  const head = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT });
  const dirty = await run('git', ['status', '--porcelain', '--', 'src', 'emulator', 'schemas', 'package.json', 'package-lock.json'], { cwd: ROOT });
  return { commit: head.stdout.trim() || 'unknown', dirty: dirty.stdout.trim() !== '' };
}

async function aboutDiscover() {
  const cfg = writeJson('about-config.json', { endpoint: 'http://127.0.0.1:9', user_id: 'bench', token: 'bench-token' });
  const one = async (args) => {
    const times = [];
    for (let i = 0; i < P.aboutRuns; i++) {
      const m = await measure(process.execPath, args, { cwd: work, useTime: false });
      if (m.exitCode !== 0) return { error: `exit ${m.exitCode}: ${m.stderrTail.slice(-300)}` };
      times.push(m.wallMs);
    }
    return { medianMs: median(times), minMs: Math.min(...times), maxMs: Math.max(...times), runs: times.length };
  };
  log(`--about, --discover and bare node startup, ${P.aboutRuns} runs each`);
  return {
    about: await one([TAP, '--about']),
    discover: await one([TAP, '--config', cfg, '--discover']),
    nodeStartup: await one(['-e', '0']),
  };
}

const ROUTE = { teams: '/api/v1/teams.list', rooms: '/api/v1/rooms.get', channels: '/api/v1/channels.list', roles: '/api/v1/roles.list', subscriptions: '/api/v1/subscriptions.get', users: '/api/v1/users.list' };
/** What the messages stream requests first: the room lists (chat.syncMessages is warmed by its first room). */
const WARM_FOR = { messages: ['rooms', 'channels'] };
const PAGED = new Set(['teams', 'channels', 'users']);

/**
 * One request per route before measuring: the emulator builds its sorted views on first use, and
 * whichever program ran first would pay for that.
 */
async function warmUp(config, streams) {
  for (const name of streams.flatMap((n) => WARM_FOR[n] ?? [n])) {
    const query = PAGED.has(name) ? `?${new URLSearchParams({ offset: '0', count: '100', sort: '{"_id":1}' })}` : '';
    const res = await fetch(`${config.endpoint}${ROUTE[name]}${query}`, { headers: { 'X-User-Id': config.user_id, 'X-Auth-Token': config.token } });
    await res.arrayBuffer();
  }
}

async function waitQuiet(maxSeconds) {
  const deadline = Date.now() + maxSeconds * 1000;
  while (os.loadavg()[0] >= 1 && Date.now() < deadline) {
    log(`waiting for a quiet machine: 1-minute load average ${os.loadavg()[0].toFixed(2)}`);
    await new Promise((r) => setTimeout(r, 15_000));
  }
}

let airbyte;
async function runScenario(s) {
  const emu = await emulatorFor(s);
  await emu.setLatency(0);
  const config = emu.config(s.identity);
  const configPath = writeJson(`config-${s.identity}.json`, config);
  const catalogPath = writeJson(`catalog-${s.id}.json`, await tapCatalog(configPath, s.streams));
  const repeat = s.repeat ?? (s.rateLimit || s.latencyMs || s.users >= 1_000_000 ? 1 : P.repeat);
  const floorArgs = [FLOOR, '--endpoint', config.endpoint, '--user-id', config.user_id, '--token', config.token, '--streams', s.streams.join(',')];
  if (s.rateLimit) floorArgs.push('--rate-limit-calls', String(s.rateLimit.calls));

  const out = { ...s, tapRuns: [], floorRuns: [] };
  if (s.rateLimit) {
    await warmUp(config, s.streams);
  } else {
    // The emulator's JIT needs a few thousand requests to settle (its first full read of 100k
    // users is up to 2x slower): one unmeasured full read, without latency, warms it.
    log(`${s.id}: warm-up (unmeasured floor run)`);
    await measure(process.execPath, floorArgs, { cwd: work, useTime: false });
  }
  await emu.setLatency(s.latencyMs ?? 0);
  const runFloor = async (i) => {
    log(`${s.id}: floor (run ${i + 1}/${repeat})`);
    const f = await measured(emu, s, process.execPath, floorArgs, { keepStdout: true });
    try {
      const j = JSON.parse(f.stdout.trim().split('\n').pop());
      f.records = j.records;
    } catch {
      f.error ??= `floor printed no result: ${f.stdout.slice(0, 200)}`;
    }
    delete f.stdout;
    out.floorRuns.push(f);
    return f;
  };
  const runTap = async (i) => {
    log(`${s.id}: tap (run ${i + 1}/${repeat})`);
    const t = await measured(emu, s, process.execPath, [TAP, '--config', configPath, '--catalog', catalogPath]);
    out.tapRuns.push(t);
    return t;
  };
  for (let i = 0; i < repeat; i++) {
    // Alternate which goes first, so neither always meets a colder or warmer machine.
    let f;
    let t;
    if (i % 2 === 0) {
      f = await runFloor(i);
      t = await runTap(i);
    } else {
      t = await runTap(i);
      f = await runFloor(i);
    }
    log(`${s.id}: tap ${fmtS(t.wallMs)} (${t.records} records, ${t.requests} requests, ${t.rateLimited} 429s), floor ${fmtS(f.wallMs)}${t.error ? `; tap failed: ${t.error}` : ''}`);
  }
  out.tap = pickMedian(out.tapRuns);
  out.floor = pickMedian(out.floorRuns);
  if (s.rateLimit) out.bound = rateLimitBound(out.floor.byRoute, s.rateLimit);
  if (s.realBudgetFor) {
    // The same dataset read with an ordinary token: the requests it needs (the floor's, the
    // emulator unthrottled), and the bound those requests meet at Rocket.Chat's default budget.
    const who = emu.config(s.realBudgetFor);
    log(`${s.id}: requests an ordinary token needs (floor as ${s.realBudgetFor}, unthrottled, unmeasured)`);
    const u = await measured(emu, s, process.execPath, [FLOOR, '--endpoint', who.endpoint, '--user-id', who.user_id, '--token', who.token, '--streams', s.streams.join(',')], { keepStdout: true });
    let records;
    try {
      records = JSON.parse(u.stdout.trim().split('\n').pop()).records;
    } catch {
      /* reported as missing */
    }
    out.realBudget = { identity: s.realBudgetFor, records, requests: u.requests, limit: P.realLimit, ...rateLimitBound(u.byRoute, P.realLimit) };
  }

  if (s.airbyte) {
    airbyte ??= await ensureAirbyte(ROOT, log);
    if (airbyte.error) {
      out.airbyte = { error: `install failed: ${airbyte.error}` };
    } else {
      try {
        const abCatalog = writeJson(`airbyte-catalog-${s.id}.json`, await airbyteCatalog(airbyte.bin, configPath, s.streams, work));
        log(`${s.id}: Airbyte ${AIRBYTE_PACKAGE}`);
        out.airbyte = await measured(emu, s, airbyte.bin, ['read', '--config', configPath, '--catalog', abCatalog]);
        log(`${s.id}: Airbyte ${fmtS(out.airbyte.wallMs)} (${out.airbyte.records} records, ${out.airbyte.requests} requests, ${out.airbyte.rateLimited} 429s)`);
      } catch (err) {
        out.airbyte = { error: String(err?.message ?? err) };
      }
    }
  }
  return out;
}

async function profileTap() {
  const users = largest;
  const s = { id: 'profile', users, identity: 'admin', streams: ['users'] };
  const emu = await emulatorFor(s);
  await emu.setLatency(0);
  const configPath = writeJson('config-profile.json', emu.config('admin'));
  const catalogPath = writeJson('catalog-profile.json', await tapCatalog(configPath, ['users']));
  const dir = join(work, 'cpuprofile');
  mkdirSync(dir, { recursive: true });
  log(`profiling the tap: admin, users stream, ${users} users (node --cpu-prof)`);
  const r = await measured(emu, s, process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, TAP, '--config', configPath, '--catalog', catalogPath]);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return { error: `no profile written (${r.error ?? 'unknown'})` };
  return { users, wallMs: r.wallMs, ...summariseProfile(join(dir, file)) };
}

let exitCode = 0;
try {
  if (opt['wait-quiet']) await waitQuiet(int(opt['wait-quiet'], 0));
  results.load = { start: os.loadavg().map((l) => Number(l.toFixed(2))) };
  results.git = await gitFacts();
  results.aboutDiscover = await aboutDiscover();
  for (const s of selected) {
    try {
      results.scenarios.push(await runScenario(s));
    } catch (err) {
      log(`${s.id} failed: ${err?.stack ?? err}`);
      results.scenarios.push({ ...s, error: String(err?.message ?? err) });
      exitCode = 1;
    }
  }
  if (opt.profile) {
    try {
      results.profile = await profileTap();
    } catch (err) {
      results.profile = { error: String(err?.message ?? err) };
    }
  }
  if (airbyte) results.airbyteInstall = { python: airbyte.python, attempts: airbyte.attempts, error: airbyte.error };
  results.finishedAt = new Date().toISOString();
  results.load.end = os.loadavg().map((l) => Number(l.toFixed(2)));
} finally {
  if (emulator) await emulator.stop();
  rmSync(work, { recursive: true, force: true });
}

const markdown = renderMarkdown(results, { svgName: svgPath ? svgPath.split('/').pop() : undefined });
if (outPath) {
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, markdown);
  writeFileSync(svgPath, renderSvg(results));
  log(`wrote ${outPath} and ${svgPath}`);
} else {
  process.stdout.write(markdown);
}
if (opt.json) writeFileSync(resolve(opt.json), `${JSON.stringify(results, null, 2)}\n`);
process.exitCode = exitCode;
