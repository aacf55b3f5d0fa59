/**
 * What every route is made of: the route definition and its handler context, the result and body
 * types, the server settings, query validation (typed routes: additionalProperties:false, ajv with
 * type coercion), pagination (getPaginationItems, docs/rocketchat-api-notes.md#pagination), sort
 * parsing (docs/rocketchat-api-notes.md#sort-query-fields) and the permission check.
 *
 * A new route is a `RouteDef` in its own file, listed once in registry.ts.
 */
import type { Dataset } from '../data/dataset.js';
import type { Identity } from '../identities.js';
import { InvalidSortError, makeComparator, parseSort, type Doc, type Json, type SortSpec } from '../mongo.js';
import { err } from './errors.js';

export interface ApiSettings {
  /** API_Default_Count (default 50). */
  defaultCount: number;
  /** API_Upper_Count_Limit (default 100). */
  maxCount: number;
  /** API_Allow_Infinite_Count (default true): count=0 returns everything. */
  allowInfiniteCount: boolean;
  /** Full server version, e.g. "8.8.1". */
  version: string;
}

export const DEFAULT_API_SETTINGS: Readonly<ApiSettings> = {
  defaultCount: 50, maxCount: 100, allowInfiniteCount: true, version: '8.8.1',
};

/** A records array produced lazily (users.list with count=0 on a huge workspace). */
export class RecordList {
  constructor(readonly length: number, readonly get: (i: number) => Doc) {}
  toArray(): Doc[] {
    const out: Doc[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.get(i);
    return out;
  }
}

export type Body = { [key: string]: Json | RecordList | Doc[] | undefined };

export interface ApiResult {
  status: number;
  body: Body;
}

export interface Page {
  offset: number;
  /** 0 = no limit. */
  count: number;
}

export interface HandlerContext {
  ds: Dataset;
  identity: Identity | undefined;
  query: URLSearchParams;
  settings: ApiSettings;
  /** Base URL of the emulator (for avatarUrl / workspaceUrl). */
  baseUrl: string;
  page: Page;
}

/** The streams whose routes `expectedRead` can answer for; a route for a new stream adds its name here. */
export type StreamName = 'teams' | 'rooms' | 'channels' | 'roles' | 'subscriptions' | 'users' | 'messages';

export interface QuerySchema {
  allowed: ReadonlySet<string>;
  numbers?: readonly string[];
  nonEmpty?: readonly string[];
}

export interface RouteDef {
  readonly path: string;
  readonly auth: boolean;
  readonly rateLimited: boolean;
  /** Typed query schema; absent = unknown params ignored. */
  readonly schema?: QuerySchema;
  /** permissionsRequired, operation hasAny. */
  readonly anyPermission?: readonly string[];
  /** A route's own query validation (checked like `schema`, before authentication). */
  readonly validate?: (q: URLSearchParams) => ApiResult | undefined;
  readonly stream?: StreamName;
  /** Key of the records in a success body. */
  readonly recordsKey?: string;
  handle(ctx: HandlerContext): ApiResult;
}

/** A route as fault rules and request hooks name it ('users.list', 'info', '*' or a path) → its path. */
export function normaliseRoute(route: string): string {
  if (route === '*' || route.startsWith('/')) return route;
  return route === 'info' ? '/api/info' : `/api/v1/${route}`;
}

/** Query validation for a route (400 body, or undefined when valid). */
export function validateRouteQuery(route: RouteDef, q: URLSearchParams): ApiResult | undefined {
  if (route.validate) return route.validate(q);
  const schema = route.schema;
  if (!schema) return undefined;
  for (const key of q.keys()) if (!schema.allowed.has(key)) return err.invalidParams('must NOT have additional properties');
  for (const key of schema.numbers ?? []) {
    const v = q.get(key);
    if (v === null) continue;
    const n = v.trim() === '' ? 0 : Number(v);
    if (!Number.isFinite(n)) return err.invalidParams('must be number');
    if (n < 0) return err.invalidParams('must be >= 0');
  }
  for (const key of schema.nonEmpty ?? []) {
    const v = q.get(key);
    if (v !== null && v.length < 1) return err.invalidParams('must NOT have fewer than 1 characters');
  }
  return undefined;
}

/** Permission check (403 body, or undefined). */
export function checkPermissions(route: RouteDef, identity: Identity): ApiResult | undefined {
  if (!route.anyPermission) return undefined;
  return route.anyPermission.some((p) => identity.permissions.has(p)) ? undefined : err.permission();
}

export function paginationItems(q: URLSearchParams, s: ApiSettings): Page {
  const hardUpperLimit = s.maxCount > 0 ? s.maxCount : 100;
  const defaultCount = s.defaultCount > 0 ? s.defaultCount : 50;
  const rawOffset = q.get('offset');
  let offset = rawOffset ? parseInt(rawOffset, 10) : 0;
  if (!Number.isFinite(offset) || offset < 0) offset = 0;
  const rawCount = q.get('count');
  let count = rawCount !== null ? parseInt(rawCount || '0', 10) : defaultCount;
  if (!Number.isFinite(count) || count < 0) count = defaultCount;
  if (count > hardUpperLimit) count = hardUpperLimit;
  if (count === 0 && !s.allowInfiniteCount) count = defaultCount;
  return { offset, count };
}

export function pageOf<T>(all: readonly T[], page: Page): T[] {
  return page.count === 0 ? all.slice(page.offset) : all.slice(page.offset, page.offset + page.count);
}

/** Sorts by `spec`, ties in natural order (the input order). */
export function stableSort(docs: Doc[], spec: SortSpec | undefined): Doc[] {
  if (!spec || spec.length === 0) return docs;
  const cmp = makeComparator(spec);
  return docs.map((d, i) => [d, i] as const).sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]).map(([d]) => d);
}

/** The `sort` query parameter, or the 400 body of an invalid one. */
export function parseSortOr(ctx: HandlerContext): SortSpec | undefined | ApiResult {
  try {
    return parseSort(ctx.query.get('sort'));
  } catch (e) {
    if (e instanceof InvalidSortError) return err.invalidSort(e.raw);
    throw e;
  }
}

export function isResult(v: unknown): v is ApiResult {
  return typeof v === 'object' && v !== null && 'status' in v && 'body' in v;
}

/** An `updatedSince` parameter: absent/empty → undefined. */
export function parseSince(raw: string | null): number | undefined | 'invalid' {
  if (raw === null || raw === '') return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? 'invalid' : ms;
}

export function subscribedRoomIds(ds: Dataset, userId: string): Set<string> {
  const out = new Set<string>();
  for (const s of ds.subscriptions) if ((s.u as Doc)._id === userId) out.add(s.rid as string);
  return out;
}
