#!/usr/bin/env node
/**
 * Runs the emulator in the foreground:
 *
 *   node dist/emulator/cli.js [--port 3000] [--host 127.0.0.1] [--users N] [--seed S]
 *     [--channels N] [--private-groups N] [--direct-messages N] [--discussions N] [--teams N]
 *     [--custom-roles N] [--livechat-rooms N] [--messages N] [--user-name-chars N]
 *     [--rate-limit-calls 10] [--rate-limit-window-ms 60000] [--no-rate-limit] [--latency-ms N]
 *     [--proxy-calls N [--proxy-window-ms 1000] [--proxy-per-route]]
 *     [--faults FILE.json] [--write-config FILE [--identity admin|user|bot|app|guest|restricted]]
 *     [--odd-values] [--gzip] [--quiet | --verbose]
 *
 * Prints one line of JSON {url, port, identities} to stdout once listening, logs to stderr, and
 * stops on SIGTERM/SIGINT. Control routes (/_emulator/*): see emulator/README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { messageStore } from './messages/registry.js';
import { startEmulator, type EmulatorOptions, type FaultRule } from './server.js';
import { IDENTITY_NAMES, type IdentityName } from './identities.js';

const USAGE = `usage: node dist/emulator/cli.js [options]
  --port N                  listen port (default 0 = ephemeral)
  --host H                  listen address (default 127.0.0.1)
  --seed S                  dataset seed (default 42)
  --users N                 number of users (default 250; 1000000 works)
  --channels N --private-groups N --direct-messages N --discussions N --teams N
  --custom-roles N --livechat-rooms N --messages N (chat messages over all rooms; default 5000, 1000000 works)
  --rate-limit-calls N      calls per window per route and IP (default 10)
  --rate-limit-window-ms N  window length (default 60000)
  --no-rate-limit           disable the rate limiter
  --proxy-calls N           proxy mode: a proxy allows N calls per window per client, for every caller,
                            and answers an HTML 429 with Retry-After (default off)
  --proxy-window-ms N       the proxy's window (default 1000)
  --proxy-per-route         one proxy budget per path instead of one per client
  --latency-ms N            fixed latency added to every /api request
  --faults FILE             JSON array of fault rules to start with
  --write-config FILE       write a tap config {"endpoint","user_id","token"} and keep running
  --identity NAME           identity for --write-config: ${IDENTITY_NAMES.join('|')} (default admin)
  --odd-values              give union-typed fields every JSON shape (emulator/odd-values.ts)
  --user-name-chars N       grow every display name to N characters of escapes and non-ASCII text (benchmarks)
  --gzip                    gzip JSON bodies of 1 KB or more when the client accepts gzip (as a proxy with gzip on)
  --quiet                   no per-event logging on stderr
  --verbose                 also log every /api request on stderr
`;

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) {
    process.stderr.write(`emulator: --${name} must be a number, got ${v}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const ARGS = {
  port: { type: 'string' }, host: { type: 'string' }, seed: { type: 'string' }, users: { type: 'string' },
  channels: { type: 'string' }, 'private-groups': { type: 'string' }, 'direct-messages': { type: 'string' },
  discussions: { type: 'string' }, teams: { type: 'string' }, 'custom-roles': { type: 'string' },
  'livechat-rooms': { type: 'string' }, messages: { type: 'string' }, 'user-name-chars': { type: 'string' },
  'rate-limit-calls': { type: 'string' }, 'rate-limit-window-ms': { type: 'string' },
  'no-rate-limit': { type: 'boolean' }, 'proxy-calls': { type: 'string' }, 'proxy-window-ms': { type: 'string' },
  'proxy-per-route': { type: 'boolean' }, 'latency-ms': { type: 'string' }, faults: { type: 'string' },
  'write-config': { type: 'string' }, identity: { type: 'string' }, quiet: { type: 'boolean' },
  verbose: { type: 'boolean' }, 'odd-values': { type: 'boolean' }, gzip: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof ARGS; strict: true }>>['values'];

function emulatorOptions(values: Values): EmulatorOptions {
  const data: NonNullable<EmulatorOptions['data']> = {};
  const set = (key: keyof typeof data, flag: string, v: string | undefined) => {
    const n = num(v, flag);
    if (n !== undefined) data[key] = n;
  };
  set('seed', 'seed', values.seed);
  set('users', 'users', values.users);
  set('channels', 'channels', values.channels);
  set('privateGroups', 'private-groups', values['private-groups']);
  set('directMessages', 'direct-messages', values['direct-messages']);
  set('discussions', 'discussions', values.discussions);
  set('teams', 'teams', values.teams);
  set('customRoles', 'custom-roles', values['custom-roles']);
  set('livechatRooms', 'livechat-rooms', values['livechat-rooms']);
  set('messages', 'messages', values.messages);
  set('userNameChars', 'user-name-chars', values['user-name-chars']);

  const log = values.quiet ? undefined : (line: string) => process.stderr.write(`${line}\n`);
  const options: EmulatorOptions = { data, host: values.host ?? '127.0.0.1', port: num(values.port, 'port') ?? 0 };
  if (log) options.log = log;
  if (values['odd-values']) options.oddValues = true;
  if (values.verbose && log) options.logRequests = true;
  if (values['no-rate-limit']) options.rateLimit = false;
  else {
    const calls = num(values['rate-limit-calls'], 'rate-limit-calls');
    const windowMs = num(values['rate-limit-window-ms'], 'rate-limit-window-ms');
    options.rateLimit = { ...(calls !== undefined ? { calls } : {}), ...(windowMs !== undefined ? { windowMs } : {}) };
  }
  const proxyCalls = num(values['proxy-calls'], 'proxy-calls');
  if (proxyCalls !== undefined) {
    const windowMs = num(values['proxy-window-ms'], 'proxy-window-ms');
    options.proxy = { calls: proxyCalls, ...(windowMs !== undefined ? { windowMs } : {}), perRoute: values['proxy-per-route'] ?? false };
  }
  const latency = num(values['latency-ms'], 'latency-ms');
  if (latency !== undefined) options.latencyMs = latency;
  if (values.gzip) options.gzip = true;
  if (values.faults) options.faults = JSON.parse(readFileSync(values.faults, 'utf8')) as FaultRule[];
  return options;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: ARGS, strict: true });
  if (values.help) {
    process.stderr.write(USAGE);
    return;
  }
  const identity = (values.identity ?? 'admin') as IdentityName;
  if (!IDENTITY_NAMES.includes(identity)) {
    process.stderr.write(`emulator: --identity must be one of ${IDENTITY_NAMES.join(', ')}\n`);
    process.exit(2);
  }
  const options = emulatorOptions(values);

  const t0 = performance.now();
  const emu = await startEmulator(options);
  const messages = messageStore(emu.dataset).n; // built now rather than on the first message request
  const startupMs = Math.round(performance.now() - t0);
  const s = emu.stats();
  process.stderr.write(
    `emulator: listening on ${emu.url} (${s.counts.users} users, ${s.counts.rooms} rooms, ${s.counts.teams} teams, ${messages} messages; `
    + `rate limit ${s.rateLimit.enabled ? `${s.rateLimit.calls}/${s.rateLimit.windowMs}ms` : 'off'}; started in ${startupMs} ms; `
    + `rss ${Math.round(process.memoryUsage().rss / 1048576)} MB)\n`,
  );
  if (values['write-config']) {
    const who = emu.identities[identity];
    writeFileSync(values['write-config'], `${JSON.stringify({ endpoint: emu.url, user_id: who.userId, token: who.token }, null, 2)}\n`);
    process.stderr.write(`emulator: wrote tap config for identity ${identity} to ${values['write-config']}\n`);
  }
  const identities = Object.fromEntries(Object.entries(emu.identities).map(([k, v]) => [k, { userId: v.userId, token: v.token, username: v.username }]));
  process.stdout.write(`${JSON.stringify({ url: emu.url, port: emu.port, identities })}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`emulator: ${signal}, stopping\n`);
    emu.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`emulator: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
