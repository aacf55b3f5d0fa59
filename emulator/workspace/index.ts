/**
 * The `expected` helper of the workspace-wide and omnichannel routes (registered in
 * routes/registry.ts) for tests, and the control routes `GET /_emulator/expected-endpoint` and
 * `POST /_emulator/omnichannel` (control-routes.ts).
 */
import type { Dataset } from '../data/dataset.js';
import { ExpectedError } from '../expected.js';
import { IDENTITY_NAMES, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { omnichannelMutate, type OmnichannelMutationSpec } from '../omnichannel/mutations.js';
import {
  checkPermissions, DEFAULT_API_SETTINGS, RecordList, validateRouteQuery, type ApiSettings, type RouteDef,
} from '../routes/common.js';
import { ROUTE_BY_PATH } from '../routes/registry.js';

export type { OmnichannelMutationSpec, OmnichannelMutationResult } from '../omnichannel/mutations.js';
export { omnichannelMutate } from '../omnichannel/mutations.js';

/** Endpoint names as the tap would call them: 'rooms.adminRooms', 'livechat/rooms', ... */
export type EndpointName = string;

export interface EndpointExpected {
  /** The records of a complete read (every page), or `[room]` / `[statistics]` for the single-document routes. */
  records: Doc[];
  /** The envelope without the records (total, count, offset, success; `team`/`parent` for rooms.info). */
  envelope: Doc;
}

function routeFor(endpoint: EndpointName): RouteDef {
  const route = ROUTE_BY_PATH.get(`/api/v1/${endpoint.replace(/^\/?(api\/v1\/)?/, '')}`);
  if (!route) throw new Error(`unknown endpoint ${endpoint}; one of ${[...ROUTE_BY_PATH.keys()].map((p) => p.slice(8)).join(', ')}`);
  return route;
}

/**
 * What `identity` gets from `endpoint` with `params` right now, read completely (count=0).
 * Throws ExpectedError with the error the endpoint would answer.
 */
export function expectedEndpoint(
  ds: Dataset, endpoint: EndpointName, identity: IdentityName, params: Record<string, string | string[]> = {},
  settings: ApiSettings = { ...DEFAULT_API_SETTINGS },
): EndpointExpected {
  const route = routeFor(endpoint);
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  const who = ds.identities[identity];
  const result = validateRouteQuery(route, q) ?? checkPermissions(route, who)
    ?? route.handle({ ds, identity: who, query: q, settings, baseUrl: '', page: { offset: 0, count: 0 } });
  if (result.status !== 200) throw new ExpectedError(result);
  const body = structuredClone(Object.fromEntries(Object.entries(result.body).map(([k, v]) => [k, v instanceof RecordList ? v.toArray() : v]))) as Doc;
  const key = route.recordsKey;
  if (key) {
    const records = body[key] as Doc[];
    delete body[key];
    return { records, envelope: body };
  }
  if (body.room !== undefined) {
    const room = body.room as Doc;
    delete body.room;
    return { records: [room], envelope: body };
  }
  const { success, ...doc } = body;
  return { records: [doc], envelope: { success } };
}

/** `POST /_emulator/omnichannel`: applies an omnichannel mutation. */
export function omnichannelControl(ds: Dataset, body: unknown): { status: number; body: unknown } {
  return { status: 200, body: omnichannelMutate(ds, body as OmnichannelMutationSpec) };
}

/** `GET /_emulator/expected-endpoint?endpoint=livechat/rooms&identity=admin[&<endpoint params>]`. */
export function expectedEndpointControl(ds: Dataset, q: URLSearchParams): { status: number; body: unknown } {
  const endpoint = q.get('endpoint');
  const identity = (q.get('identity') ?? 'admin') as IdentityName;
  if (!endpoint || !IDENTITY_NAMES.includes(identity)) {
    return { status: 400, body: { success: false, error: 'expected ?endpoint=livechat/rooms&identity=admin[&<endpoint params>]' } };
  }
  const params: Record<string, string[]> = {};
  for (const [k, v] of q) if (k !== 'endpoint' && k !== 'identity') (params[k] ??= []).push(v);
  try {
    const r = expectedEndpoint(ds, endpoint, identity, params);
    return { status: 200, body: { endpoint, identity, count: r.records.length, records: r.records, envelope: r.envelope } };
  } catch (e) {
    if (e instanceof ExpectedError) return { status: 200, body: { endpoint, identity, count: 0, records: [], status: e.result.status, error: e.result.body } };
    throw e;
  }
}
