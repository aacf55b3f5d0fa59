/**
 * Omnichannel list routes besides livechat/rooms: visitors.search, omnichannel/contacts.search,
 * livechat/users/agent (and /manager) and livechat/department. Sources under
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/server/api/v1/omnichannel/
 * and packages/models/src/models/LivechatContacts.ts; docs/rocketchat-api-notes.md#omnichannel.
 */
import type { Dataset } from '../data/dataset.js';
import type { ApiResult, Body, HandlerContext, RouteDef } from '../routes/common.js';
import { err } from '../routes/errors.js';
import type { Identity } from '../identities.js';
import { pickFields, type Doc } from '../mongo.js';
import { containsCi, envelope, pageSlice, sortStable } from '../workspace/list.js';
import { isResult, legacyInvalid, omnichannelDisabled, one, paramsOf, schemaError, sortOf, type ParamSchema, type Params } from '../workspace/params.js';
import type { SortSpec } from '../mongo.js';
import { agentFieldsOf, agentIndexes, departmentsOfAgent, storeOf } from './store.js';

interface ListCtx { ctx: HandlerContext; p: Params; sort: SortSpec | undefined }

/** Omnichannel switch, legacy validateParams, then parseJsonQuery's sort. */
function prelude(ctx: HandlerContext, schema: ParamSchema): ListCtx | ApiResult {
  if (!storeOf(ctx.ds).enabled) return omnichannelDisabled();
  const p = paramsOf(ctx.query);
  const invalid = schemaError(schema, p);
  if (invalid) return legacyInvalid(invalid);
  const sort = sortOf(p);
  if (isResult(sort)) return sort;
  return { ctx, p, sort };
}

function listed(l: ListCtx, key: string, matching: Doc[], defaultSort: SortSpec, project: (d: Doc) => Doc): ApiResult {
  const sorted = sortStable(matching, l.sort ?? defaultSort);
  const records = pageSlice(sorted, l.ctx.page).map(project);
  return envelope(key, records, l.ctx.page, sorted.length);
}

const VISITOR_FIELDS: ReadonlySet<string> = new Set(['_id', 'username', 'name', 'phone', 'livechatData', 'visitorEmails', 'lastChat']);
export const VISITORS_SCHEMA: ParamSchema = { fields: { term: 'string', count: 'number', offset: 'number', sort: 'string' }, required: ['term'] };

function visitorMatcher(term: string): (v: Doc) => boolean {
  if (term === '') return () => true;
  const m = containsCi(term);
  return (v) => (Array.isArray(v.visitorEmails) && v.visitorEmails.some((e) => (e as Doc).address === term))
    || (Array.isArray(v.phone) && v.phone.some((x) => (x as Doc).phoneNumber === term))
    || m(v.name) || m(v.username);
}

export const visitorsSearch: RouteDef = {
  path: '/api/v1/livechat/visitors.search', auth: true, rateLimited: true, recordsKey: 'visitors', anyPermission: ['view-l-room'],
  handle(ctx) {
    const l = prelude(ctx, VISITORS_SCHEMA);
    if (isResult(l)) return l;
    const match = visitorMatcher(one(l.p, 'term') ?? '');
    const matching = storeOf(ctx.ds).visitors.filter((v) => v.disabled !== true && match(v));
    return listed(l, 'visitors', matching, [['ts', -1]], (v) => structuredClone(pickFields(v, VISITOR_FIELDS)));
  },
};

export const CONTACTS_SCHEMA: ParamSchema = {
  fields: { count: 'number', offset: 'number', sort: 'string', searchText: 'string', unknown: 'boolean' },
};

function withManager(ds: Dataset, c: Doc): Doc {
  const { contactManager, ...rest } = structuredClone(c);
  if (typeof contactManager !== 'string') return rest;
  const i = ds.users.indexOf(contactManager);
  if (i < 0) return rest;
  const u = ds.users.doc(i);
  const manager: Doc = { _id: u._id };
  if (u.username !== undefined) manager.username = u.username;
  if (u.name !== undefined) manager.name = u.name;
  return { ...rest, contactManager: manager };
}

export const contactsSearch: RouteDef = {
  path: '/api/v1/omnichannel/contacts.search', auth: true, rateLimited: true, recordsKey: 'contacts', anyPermission: ['view-livechat-contact'],
  handle(ctx) {
    const l = prelude(ctx, CONTACTS_SCHEMA);
    if (isResult(l)) return l;
    const m = containsCi(one(l.p, 'searchText') ?? '');
    const unknown = one(l.p, 'unknown') === 'true';
    const matching = storeOf(ctx.ds).contacts.filter((c) => c.enabled !== false && c.unknown === unknown
      && (m(c.name) || (c.emails as Doc[] | undefined)?.some((e) => m(e.address)) === true
        || (c.phones as Doc[] | undefined)?.some((x) => m(x.phoneNumber)) === true));
    const sorted = sortStable(matching, l.sort ?? [['name', 1]]);
    const records = pageSlice(sorted, ctx.page).map((c) => withManager(ctx.ds, c));
    // getContacts echoes the requested page size as `count`, not the number of contacts returned
    const body: Body = { contacts: records, count: ctx.page.count, offset: ctx.page.offset, total: sorted.length, success: true };
    return { status: 200, body };
  },
};

export const AGENTS_SCHEMA: ParamSchema = {
  fields: {
    text: 'string', onlyAvailable: 'boolean', excludeId: 'string', showIdleAgents: 'boolean', count: 'number', offset: 'number',
    sort: 'string', query: 'string', fields: 'string',
  },
};

/** Users.findAgentsWithDepartments projection (+ `departments`, the ids from livechat_department_agents). */
function agentDoc(ds: Dataset, i: number): Doc {
  const u = ds.users.doc(i);
  const out: Doc = { _id: u._id };
  for (const k of ['username', 'emails', 'status', 'name'] as const) if (u[k] !== undefined) out[k] = structuredClone(u[k]);
  Object.assign(out, structuredClone(agentFieldsOf(storeOf(ds), u._id as string)));
  out.departments = departmentsOfAgent(storeOf(ds), u._id as string);
  return out;
}

function agentsOfRole(ds: Dataset, role: string): number[] {
  if (role === 'livechat-agent') return agentIndexes(ds);
  const out: number[] = [];
  for (let i = 0; i < ds.users.ids.length; i++) {
    const roles = ds.users.isAlive(i) ? ds.users.doc(i).roles : undefined;
    if (Array.isArray(roles) && roles.includes(role)) out.push(i);
  }
  return out;
}

function usersRoute(type: 'agent' | 'manager'): RouteDef {
  return {
    path: `/api/v1/livechat/users/${type}`, auth: true, rateLimited: true, recordsKey: 'users',
    handle(ctx) {
      const l = prelude(ctx, AGENTS_SCHEMA);
      if (isResult(l)) return l;
      const perms = type === 'agent' ? ['transfer-livechat-guest', 'edit-omnichannel-contact'] : ['view-livechat-manager'];
      if (!perms.some((x) => (ctx.identity as Identity).permissions.has(x))) return err.forbidden();
      const text = one(l.p, 'text');
      const m = text ? containsCi(text) : undefined;
      const excludeId = one(l.p, 'excludeId');
      const onlyAvailable = type === 'agent' && one(l.p, 'onlyAvailable') === 'true';
      const hideIdle = type === 'agent' && one(l.p, 'showIdleAgents') === 'false';
      const docs = agentsOfRole(ctx.ds, `livechat-${type}`).map((i) => ({ doc: agentDoc(ctx.ds, i), roles: ctx.ds.users.doc(i).roles as string[] }));
      const matching = docs.filter(({ doc, roles }) => (!m || m(doc.username) || m(doc.name) || (doc.emails as Doc[] | undefined)?.some((e) => m(e.address)) === true)
        && (!onlyAvailable || doc.statusLivechat === 'available') && (!excludeId || doc._id !== excludeId)
        && (!hideIdle || roles.includes('bot') || (doc.status !== undefined && doc.status !== 'offline'))).map(({ doc }) => doc);
      return listed(l, 'users', matching, [['name', 1]], (d) => d);
    },
  };
}

export const DEPARTMENTS_SCHEMA: ParamSchema = {
  fields: {
    text: 'string', onlyMyDepartments: 'string', enabled: 'string', excludeDepartmentId: 'string', showArchived: 'string',
    count: 'number', offset: 'number', sort: 'string', query: 'string', fields: 'string',
  },
};

export const departmentList: RouteDef = {
  path: '/api/v1/livechat/department', auth: true, rateLimited: true, recordsKey: 'departments',
  anyPermission: ['view-livechat-departments', 'view-l-room'],
  handle(ctx) {
    const l = prelude(ctx, DEPARTMENTS_SCHEMA);
    if (isResult(l)) return l;
    const showArchived = one(l.p, 'showArchived') === 'true';
    const enabled = one(l.p, 'enabled') === 'true';
    const text = one(l.p, 'text');
    const m = text ? containsCi(text) : undefined;
    const exclude = one(l.p, 'excludeDepartmentId');
    const matching = storeOf(ctx.ds).departments.filter((d) => (d.type === 'd' || d.type === undefined)
      && (showArchived || d.archived !== true) && (!enabled || d.enabled === true) && (!m || m(d.name)) && (!exclude || d._id !== exclude));
    return listed(l, 'departments', matching, [['name', 1]], (d) => structuredClone(d));
  },
};

export const livechatAgents: RouteDef = usersRoute('agent');
export const livechatManagers: RouteDef = usersRoute('manager');
