#!/usr/bin/env node
/**
 * The floor: the least work that reads the same data as the tap. It fetches exactly the pages the
 * tap fetches (same routes, same query: offset, count, sort), with a keep-alive agent and the same
 * concurrency shape as the tap's defaults (max_concurrency 4 requests in flight across all
 * streams; a paged route reads its first page alone, then the rest in parallel once `total` is
 * known), and only JSON.parses the bodies. No records are written anywhere.
 *
 * `messages` reads the rooms the way the tap does (rooms.get plus channels.list), then each room
 * 4 at a time in chat.syncMessages' cursor mode with the tap's tie-safe walk (ask from the last
 * row's millisecond minus one, double the count when a whole page is one millisecond), so it
 * sends the same requests; per page it looks only at the stamps of the rows at either edge.
 *
 * With --rate-limit-calls N it paces itself by the fixed windows the server reports: N calls per
 * route, then a wait until X-RateLimit-Reset + 1 ms (the first instant the server opens a new
 * window), which is the fastest any client can go without a 429.
 *
 *   node bench/floor.mjs --endpoint URL --user-id ID --token T [--streams users,teams,...]
 *     [--page-size 100] [--messages-page-size 1000] [--concurrency 4] [--rate-limit-calls 10]
 *     [--client http|fetch]   (http: node:http with the keep-alive agent, the default; fetch: Node's global fetch)
 *
 * Prints one JSON line: {records, requests, rateLimited, bytes, byRoute}.
 */
import http from 'node:http';
import https from 'node:https';
import { parseArgs } from 'node:util';

const ROUTES = {
  teams: { path: '/api/v1/teams.list', key: 'teams', paged: true },
  rooms: { path: '/api/v1/rooms.get', key: 'update', paged: false },
  channels: { path: '/api/v1/channels.list', key: 'channels', paged: true },
  roles: { path: '/api/v1/roles.list', key: 'roles', paged: false },
  subscriptions: { path: '/api/v1/subscriptions.get', key: 'update', paged: false },
  users: { path: '/api/v1/users.list', key: 'users', paged: true },
};
const SYNC_MESSAGES = '/api/v1/chat.syncMessages';
const SORT = '{"_id":1}';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'user-id': { type: 'string' },
    token: { type: 'string' },
    streams: { type: 'string', default: Object.keys(ROUTES).join(',') },
    'page-size': { type: 'string', default: '100' },
    'messages-page-size': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '4' },
    'rate-limit-calls': { type: 'string' },
    client: { type: 'string', default: 'http' },
  },
});
const endpoint = values.endpoint.replace(/\/+$/, '');
const pageSize = Number(values['page-size']);
const messagesPageSize = Number(values['messages-page-size']);
const concurrency = Number(values.concurrency);
const limit = values['rate-limit-calls'] ? Number(values['rate-limit-calls']) : undefined;
const headers = { 'X-User-Id': values['user-id'], 'X-Auth-Token': values.token, Accept: 'application/json' };

const agent = new (endpoint.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: concurrency });
let doFetch;
if (values.client === 'http') {
  const lib = endpoint.startsWith('https:') ? https : http;
  doFetch = (url) =>
    new Promise((resolve, reject) => {
      const req = lib.get(url, { headers, agent }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, headers: { get: (h) => res.headers[h] ?? null }, text: async () => text });
        });
      });
      req.on('error', reject);
    });
} else if (values.client === 'fetch') {
  doFetch = (url) => fetch(url, { headers }); // undici's global fetch: keep-alive by default
} else {
  throw new Error(`--client must be http or fetch, not ${values.client}`);
}

// Global cap on requests in flight (FIFO), like the tap's max_concurrency.
let free = concurrency;
const queue = [];
const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise((r) => queue.push(r)));
const release = () => {
  const next = queue.shift();
  if (next) next();
  else free++;
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stats = { records: 0, requests: 0, rateLimited: 0, bytes: 0, byRoute: {} };

/** Per-route fixed-window pacing (only with --rate-limit-calls). */
const windows = new Map();
async function pace(path) {
  if (limit === undefined) return;
  let w = windows.get(path);
  if (!w) windows.set(path, (w = { used: 0, resetAt: 0, inFlight: new Set() }));
  while (w.used >= limit) {
    // The window's calls are spent: learn its reset from the answers, then wait for it.
    await Promise.allSettled([...w.inFlight]);
    if (w.used >= limit) {
      const waitMs = w.resetAt + 1 - Date.now();
      if (waitMs > 0) await sleep(waitMs);
      if (w.used >= limit) {
        w.used = 0;
        w.resetAt = 0;
      }
    }
  }
  w.used++;
  return w;
}

async function get(path, query) {
  const url = `${endpoint}${path}${query ? `?${new URLSearchParams(query)}` : ''}`;
  for (;;) {
    const w = await pace(path);
    await acquire();
    let res;
    let text;
    const exchange = (async () => {
      try {
        res = await doFetch(url);
        text = await res.text();
      } finally {
        release();
      }
    })();
    w?.inFlight.add(exchange);
    try {
      await exchange;
    } finally {
      w?.inFlight.delete(exchange);
    }
    stats.requests++;
    stats.bytes += text.length;
    const route = (stats.byRoute[path] ??= { requests: 0, rateLimited: 0 });
    route.requests++;
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    if (w && Number.isFinite(reset)) w.resetAt = Math.max(w.resetAt, reset);
    if (res.status === 429) {
      stats.rateLimited++;
      route.rateLimited++;
      if (w) w.used = limit; // the window is spent whatever we counted
      else await sleep(Number.isFinite(reset) ? Math.max(0, reset + 1 - Date.now()) : 1000);
      continue;
    }
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text);
  }
}

/** The rooms the tap reads in the subscribed scope: rooms.get, then channels.list's public channels. */
async function messageRooms() {
  const rooms = new Map();
  const joined = await get(ROUTES.rooms.path);
  for (const r of joined.update) rooms.set(r._id, r);
  await readPaged(ROUTES.channels, (list) => {
    for (const r of list) if (!rooms.has(r._id)) rooms.set(r._id, r);
  });
  // The kinds the tap knows (public, private, direct, omnichannel, discussion); its default reads all.
  return [...rooms.values()].filter((r) => r.prid || ['c', 'p', 'd', 'l'].includes(r.t));
}

/** One room's backfill, the tap's tie-safe cursor walk (src/messages/tie-safe-cursor.ts). */
async function readRoom(rid) {
  let after = 0;
  let count = messagesPageSize;
  let edge = new Set();
  for (;;) {
    const body = await get(SYNC_MESSAGES, { roomId: rid, type: 'UPDATED', next: String(after), count });
    const rows = body.result.updated;
    const edgeStamp = new Date(after + 1).toISOString();
    let repeated = 0;
    while (repeated < rows.length && rows[repeated]._updatedAt === edgeStamp && edge.has(rows[repeated]._id)) repeated++;
    stats.records += rows.length - repeated;
    if (rows.length === 0 || body.result.cursor?.next == null) return;
    const lastStamp = rows[rows.length - 1]._updatedAt;
    const lastMs = Date.parse(lastStamp);
    if (lastMs <= after + 1) {
      for (const r of rows) edge.add(r._id);
      count *= 2;
      continue;
    }
    after = lastMs - 1;
    count = messagesPageSize;
    edge = new Set();
    for (let i = rows.length - 1; i >= 0 && rows[i]._updatedAt === lastStamp; i--) edge.add(rows[i]._id);
  }
}

async function readMessages() {
  const rooms = await messageRooms();
  let next = 0;
  const worker = async () => {
    while (next < rooms.length) await readRoom(rooms[next++]._id);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, rooms.length) }, worker));
}

/** A paged route: its first page alone, the rest `concurrency` at a time once `total` is known. */
async function readPaged(r, onRecords) {
  const first = await get(r.path, { offset: 0, count: pageSize, sort: SORT });
  onRecords(first[r.key]);
  const step = first[r.key].length;
  if (step === 0) return;
  const offsets = [];
  for (let o = step; o < first.total; o += step) offsets.push(o);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++];
      const body = await get(r.path, { offset, count: step, sort: SORT });
      onRecords(body[r.key]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
}

async function readStream(name) {
  if (name === 'messages') return readMessages();
  const r = ROUTES[name];
  if (!r) throw new Error(`unknown stream ${name}`);
  if (!r.paged) {
    const body = await get(r.path);
    stats.records += body[r.key].length;
    return;
  }
  await readPaged(r, (list) => {
    stats.records += list.length;
  });
}

await Promise.all(values.streams.split(',').filter(Boolean).map(readStream));
agent.destroy();
process.stdout.write(`${JSON.stringify(stats)}\n`);
