#!/usr/bin/env node
/**
 * The floor: the least work that reads the same data as the tap. It fetches exactly the pages the
 * tap fetches (same routes, same query: offset, count, sort), with a keep-alive agent and the same
 * concurrency shape as the tap's defaults (max_concurrency 4 requests in flight across all
 * streams; a paged route reads its first page alone, then the rest in parallel once `total` is
 * known), and only JSON.parses the bodies. No records are written anywhere.
 *
 * With --rate-limit-calls N it paces itself by the fixed windows the server reports: N calls per
 * route, then a wait until X-RateLimit-Reset + 1 ms (the first instant the server opens a new
 * window), which is the fastest any client can go without a 429.
 *
 *   node bench/floor.mjs --endpoint URL --user-id ID --token T [--streams users,teams,...]
 *     [--page-size 100] [--concurrency 4] [--rate-limit-calls 10] [--client node-fetch|fetch]
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
const SORT = '{"_id":1}';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    'user-id': { type: 'string' },
    token: { type: 'string' },
    streams: { type: 'string', default: Object.keys(ROUTES).join(',') },
    'page-size': { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '4' },
    'rate-limit-calls': { type: 'string' },
    client: { type: 'string', default: 'node-fetch' },
  },
});
const endpoint = values.endpoint.replace(/\/+$/, '');
const pageSize = Number(values['page-size']);
const concurrency = Number(values.concurrency);
const limit = values['rate-limit-calls'] ? Number(values['rate-limit-calls']) : undefined;
const headers = { 'X-User-Id': values['user-id'], 'X-Auth-Token': values.token, Accept: 'application/json' };

const agent = new (endpoint.startsWith('https:') ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: concurrency });
let doFetch;
if (values.client === 'fetch') {
  doFetch = (url) => fetch(url, { headers }); // undici's global fetch: keep-alive by default
} else {
  const { default: nodeFetch } = await import('node-fetch');
  doFetch = (url) => nodeFetch(url, { headers, agent });
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

async function readStream(name) {
  const r = ROUTES[name];
  if (!r) throw new Error(`unknown stream ${name}`);
  if (!r.paged) {
    const body = await get(r.path);
    stats.records += body[r.key].length;
    return;
  }
  const first = await get(r.path, { offset: 0, count: pageSize, sort: SORT });
  stats.records += first[r.key].length;
  const step = first[r.key].length;
  if (step === 0) return;
  const offsets = [];
  for (let o = step; o < first.total; o += step) offsets.push(o);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const offset = offsets[next++];
      const body = await get(r.path, { offset, count: step, sort: SORT });
      stats.records += body[r.key].length;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, offsets.length) }, worker));
}

await Promise.all(values.streams.split(',').filter(Boolean).map(readStream));
agent.destroy();
process.stdout.write(`${JSON.stringify(stats)}\n`);
