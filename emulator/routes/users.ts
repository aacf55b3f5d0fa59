/**
 * users.list (the users stream): full fields for callers with view-full-other-user-info, limited
 * fields for everyone else (docs/rocketchat-api-notes.md#list-endpoints).
 */
import type { Identity } from '../identities.js';
import { makeComparator, mongoToLower, pickFields, type Doc, type SortSpec } from '../mongo.js';
import { isResult, parseSortOr, RecordList, type HandlerContext, type RouteDef } from './common.js';
import { err } from './errors.js';

export const USER_FIELDS_FULL: ReadonlySet<string> = new Set([
  '_id', 'username', 'name', 'emails', 'roles', 'status', 'active', 'avatarETag', 'lastLogin', 'type',
]);
export const USER_FIELDS_LIMITED: ReadonlySet<string> = new Set(['_id', 'username', 'name', 'status', 'active', 'avatarETag', 'type']);

export function projectUser(doc: Doc, full: boolean): Doc {
  const out = pickFields(doc, full ? USER_FIELDS_FULL : USER_FIELDS_LIMITED);
  out.nameInsensitive = mongoToLower(doc.name);
  return out;
}

/** users.list sort with the tie-breakers the server adds ({name} → +nameInsensitive, {status} → +active). */
function usersSort(spec: SortSpec | undefined): SortSpec {
  if (!spec || spec.length === 0) return [['username', 1]];
  const out: SortSpec = [];
  const keys = new Set(spec.map(([k]) => k));
  for (const [k, d] of spec) {
    out.push([k, d]);
    if (k === 'name' && !keys.has('nameInsensitive')) out.push(['nameInsensitive', d]);
    if (k === 'status' && !keys.has('active')) out.push(['active', d]);
  }
  return out;
}

/** User indexes in answer order: the `email` matches, or the whole (cached) view. */
function userOrder(ctx: HandlerContext, spec: SortSpec, full: boolean, project: (i: number) => Doc): ArrayLike<number> {
  const users = ctx.ds.users;
  const email = ctx.query.get('email');
  if (email === null) return users.view(full ? 'full' : 'limited', spec, project);
  const matches = users.byEmail(email).filter((i) => users.visible(i, 'full'));
  const cmp = makeComparator(spec);
  const docs = new Map(matches.map((i) => [i, project(i)] as const));
  return matches.sort((a, b) => cmp(docs.get(a) as Doc, docs.get(b) as Doc) || a - b);
}

export const usersList: RouteDef = {
  path: '/api/v1/users.list', auth: true, rateLimited: true, stream: 'users', recordsKey: 'users',
  schema: {
    allowed: new Set(['fields', 'query', 'count', 'offset', 'sort', 'email']), numbers: ['count', 'offset'], nonEmpty: ['email'],
  },
  anyPermission: ['view-d-room'],
  handle(ctx) {
    const full = (ctx.identity as Identity).fullUserInfo;
    if (ctx.query.get('email') !== null && !full) return err.forbidden();
    const parsed = parseSortOr(ctx);
    if (isResult(parsed)) return parsed;
    const { ds, page } = ctx;
    const project = (i: number) => projectUser(ds.users.doc(i), full);
    const order = userOrder(ctx, usersSort(parsed), full, project);
    const start = Math.min(page.offset, order.length);
    const end = page.count === 0 ? order.length : Math.min(order.length, start + page.count);
    const n = end - start;
    const records: Doc[] | RecordList = n > 2000
      ? new RecordList(n, (k) => project(order[start + k] as number))
      : Array.from({ length: n }, (_, k) => project(order[start + k] as number));
    return { status: 200, body: { users: records, count: n, offset: page.offset, total: order.length, success: true } };
  },
};
