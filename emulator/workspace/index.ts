/**
 * Registry of the workspace-wide and omnichannel routes, their pre-authentication (typed-route)
 * query checks, the `expected` helper for tests and the control routes
 * `GET /_emulator/expected-endpoint` and `POST /_emulator/omnichannel`.
 */
import type { Dataset } from '../data.js';
import {
  checkPermissions, DEFAULT_API_SETTINGS, ExpectedError, RecordList, type ApiResult, type ApiSettings, type RouteDef,
} from '../endpoints.js';
import { IDENTITY_NAMES, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { omnichannelMutate, type OmnichannelMutationSpec } from '../omnichannel/mutations.js';
import { PEOPLE_ROUTES } from '../omnichannel/people.js';
import { LIVECHAT_ROOMS_ROUTES } from '../omnichannel/rooms.js';
import { paramsOf, schemaError, typedInvalid, type Params } from './params.js';
import { ADMIN_ROOMS_SCHEMA, adminTypesError, WORKSPACE_ROUTES } from './routes.js';
import { statistics, STATISTICS_SCHEMA } from './statistics.js';

export type { OmnichannelMutationSpec, OmnichannelMutationResult } from '../omnichannel/mutations.js';
export { omnichannelMutate } from '../omnichannel/mutations.js';

export const EXTRA_ROUTES: readonly RouteDef[] = [...WORKSPACE_ROUTES, statistics, ...LIVECHAT_ROOMS_ROUTES, ...PEOPLE_ROUTES];
export const EXTRA_ROUTE_BY_PATH: ReadonlyMap<string, RouteDef> = new Map(EXTRA_ROUTES.map((r) => [r.path, r]));

/** Endpoint names as the tap would call them: 'rooms.adminRooms', 'livechat/rooms', ... */
export type EndpointName = string;

const TYPED_CHECKS: ReadonlyMap<string, (p: Params) => string | undefined> = new Map([
  ['/api/v1/rooms.adminRooms', (p: Params) => schemaError(ADMIN_ROOMS_SCHEMA, p) ?? adminTypesError(p)],
  ['/api/v1/statistics', (p: Params) => schemaError(STATISTICS_SCHEMA, p)],
]);

/** The typed-route query check of an extra route (400 before authentication), or undefined. */
export function validateExtraQuery(route: RouteDef, q: URLSearchParams): ApiResult | undefined {
  const check = TYPED_CHECKS.get(route.path);
  const message = check?.(paramsOf(q));
  return message === undefined ? undefined : typedInvalid(message);
}

export interface EndpointExpected {
  /** The records of a complete read (every page), or `[room]` / `[statistics]` for the single-document routes. */
  records: Doc[];
  /** The envelope without the records (total, count, offset, success; `team`/`parent` for rooms.info). */
  envelope: Doc;
}

function routeFor(endpoint: EndpointName): RouteDef {
  const route = EXTRA_ROUTE_BY_PATH.get(`/api/v1/${endpoint.replace(/^\/?(api\/v1\/)?/, '')}`);
  if (!route) throw new Error(`unknown endpoint ${endpoint}; one of ${EXTRA_ROUTES.map((r) => r.path.slice(8)).join(', ')}`);
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
  const result = validateExtraQuery(route, q) ?? checkPermissions(route, who)
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

/** Control routes of this module (no auth); undefined when the path is not one of them. */
export async function workspaceControl(
  ds: Dataset, method: string, path: string, q: URLSearchParams, readBody: () => Promise<unknown>,
): Promise<{ status: number; body: unknown } | undefined> {
  if (method === 'POST' && path === '/_emulator/omnichannel') {
    return { status: 200, body: omnichannelMutate(ds, (await readBody()) as OmnichannelMutationSpec) };
  }
  if (method !== 'GET' || path !== '/_emulator/expected-endpoint') return undefined;
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
