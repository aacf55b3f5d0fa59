/**
 * The HTTP copy of the programmatic API, under /_emulator/ (no auth, never under /api/), for
 * tools that run the emulator as a separate process (the CLI, the benchmarks).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ExpectedError, type ExpectedOptions } from './expected.js';
import type { FaultRule } from './faults.js';
import { sendJson } from './http-util.js';
import { IDENTITY_NAMES, type IdentityName } from './identities.js';
import type { Doc } from './mongo.js';
import type { MutationSpec } from './mutations/mutate.js';
import type { RateLimitOptions } from './rate-limiter.js';
import type { Body, StreamName } from './routes/common.js';
import { ROUTE_BY_STREAM } from './routes/registry.js';
import type { Emulator } from './types.js';
import { expectedEndpointControl, omnichannelControl } from './workspace/index.js';

type Reply = (status: number, body: unknown) => Promise<void>;
type ControlRoute = (emu: Emulator, req: IncomingMessage, url: URL, reply: Reply) => Promise<void>;

const ok = (reply: Reply, body: unknown) => reply(200, body);
const bad = (reply: Reply, status: number, message: string) => reply(status, { success: false, error: message });

const CONTROL_ROUTES: Record<string, ControlRoute> = {
  'GET /_emulator/stats': (emu, _req, _url, reply) => ok(reply, emu.stats()),
  'GET /_emulator/identities': (emu, _req, _url, reply) => ok(reply, { identities: emu.identities }),
  'GET /_emulator/expected': (emu, _req, url, reply) => expected(emu, url.searchParams, reply),
  'GET /_emulator/requests': (emu, _req, url, reply) => {
    const limit = Number(url.searchParams.get('limit') ?? '1000');
    return ok(reply, { requests: emu.requests.slice(-Math.max(0, limit)) });
  },
  'POST /_emulator/requests/clear': (emu, _req, _url, reply) => { emu.clearRequests(); return ok(reply, { success: true }); },
  'GET /_emulator/faults': (emu, _req, _url, reply) => ok(reply, { faults: emu.listFaults() }),
  'POST /_emulator/faults': async (emu, req, _url, reply) => {
    const body = await readJson(req);
    const rules = Array.isArray(body) ? body : (body as { faults?: unknown }).faults;
    if (!Array.isArray(rules)) return bad(reply, 400, 'expected a JSON array of fault rules or {"faults": [...]}');
    emu.setFaults(rules as FaultRule[]);
    return ok(reply, { faults: emu.listFaults() });
  },
  'POST /_emulator/mutate': async (emu, req, _url, reply) => ok(reply, emu.mutate((await readJson(req)) as MutationSpec)),
  'POST /_emulator/latency': async (emu, req, _url, reply) => {
    const body = (await readJson(req)) as { ms?: unknown };
    emu.setLatency(Number(body.ms));
    return ok(reply, { latencyMs: emu.stats().latencyMs });
  },
  'POST /_emulator/rate-limit': async (emu, req, _url, reply) => {
    const body = (await readJson(req)) as RateLimitOptions & { reset?: boolean };
    if (body.enabled === false) emu.setRateLimit(false);
    else if (body.reset && body.calls === undefined && body.windowMs === undefined && body.enabled === undefined) emu.resetRateLimit();
    else emu.setRateLimit(body);
    return ok(reply, emu.stats().rateLimit);
  },
  'GET /_emulator/expected-endpoint': (emu, _req, url, reply) => {
    const r = expectedEndpointControl(emu.dataset, url.searchParams);
    return reply(r.status, r.body);
  },
  'POST /_emulator/omnichannel': async (emu, req, _url, reply) => {
    const r = omnichannelControl(emu.dataset, await readJson(req));
    return reply(r.status, r.body);
  },
  'POST /_emulator/revoke': (emu, req, _url, reply) => revokeOrRestore(emu, req, reply, 'revoke'),
  'POST /_emulator/restore': (emu, req, _url, reply) => revokeOrRestore(emu, req, reply, 'restore'),
};

/** Answers a request under /_emulator. */
export async function handleControl(emu: Emulator, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const reply: Reply = (status, body) => sendJson(res, status, body as Body);
  try {
    const route = CONTROL_ROUTES[`${method} ${path}`];
    if (!route) return await bad(reply, 404, `unknown control route ${method} ${path}`);
    return await route(emu, req, url, reply);
  } catch (e) {
    return await bad(reply, 400, e instanceof Error ? e.message : String(e));
  }
}

async function revokeOrRestore(emu: Emulator, req: IncomingMessage, reply: Reply, op: 'revoke' | 'restore'): Promise<void> {
  const body = (await readJson(req)) as { identity?: IdentityName };
  if (!body.identity || !IDENTITY_NAMES.includes(body.identity)) return bad(reply, 400, `identity must be one of ${IDENTITY_NAMES.join(', ')}`);
  if (op === 'revoke') emu.revokeToken(body.identity); else emu.restoreToken(body.identity);
  return ok(reply, { success: true });
}

const EXPECTED_USAGE = '/_emulator/expected?stream=users|teams|rooms|channels|roles|subscriptions|messages|all&identity=admin[&updatedSince=ISO][&sort={"_id":1}]';

async function expected(emu: Emulator, q: URLSearchParams, reply: Reply): Promise<void> {
  const stream = q.get('stream') as StreamName | 'all' | null;
  if (!stream) return ok(reply, { streams: [...ROUTE_BY_STREAM.keys()], identities: [...IDENTITY_NAMES], usage: EXPECTED_USAGE });
  if (stream !== 'all' && !ROUTE_BY_STREAM.has(stream)) return bad(reply, 400, `unknown stream ${stream}`);
  const identity = (q.get('identity') ?? 'admin') as IdentityName;
  if (!IDENTITY_NAMES.includes(identity)) return bad(reply, 400, `unknown identity ${identity}`);
  if (stream === 'messages') {
    // Room by room, as chat.syncMessages serves them ([&rid=...][&updatedSince=ISO]).
    const since = q.get('updatedSince');
    const rids = q.getAll('rid');
    const opts = { ...(since !== null ? { since } : {}), ...(rids.length > 0 ? { rids } : {}) };
    return ok(reply, { stream, identity, ...emu.expectedMessages(identity, opts) } as unknown as Body);
  }
  if (stream === 'all') {
    const out: Body = { identity };
    for (const name of ROUTE_BY_STREAM.keys()) {
      const r = expectedOrError(emu, name, identity, {});
      out[name] = 'error' in r ? { records: [], error: r.error, status: r.status } : r;
    }
    return ok(reply, out);
  }
  const opts: ExpectedOptions = {};
  const since = q.get('updatedSince');
  if (since !== null) opts.updatedSince = since;
  const sort = q.get('sort');
  if (sort !== null) opts.sort = sort;
  const r = expectedOrError(emu, stream, identity, opts);
  if ('error' in r) return ok(reply, { stream, identity, count: 0, records: [], error: r.error, status: r.status });
  return ok(reply, { stream, identity, count: r.records.length, ...r });
}

/** `{records, remove?}`, or the error body and status the endpoint would answer with. */
function expectedOrError(
  emu: Emulator, stream: StreamName, identity: IdentityName, opts: ExpectedOptions,
): { records: Doc[]; remove?: Doc[] } | { error: Doc; status: number } {
  try {
    const r = emu.expectedResult(stream, identity, opts);
    return r.remove ? { records: r.records, remove: r.remove } : { records: r.records };
  } catch (e) {
    if (!(e instanceof ExpectedError)) throw e;
    return { error: e.result.body as Doc, status: e.result.status };
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    const b = c as Buffer;
    size += b.length;
    if (size > 1_000_000) throw new Error('request body too large');
    chunks.push(b);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('request body is not valid JSON');
  }
}
