/**
 * Deterministic omnichannel data: departments (one archived, one disabled, one EE unit), agents
 * (the admin identity and generated users with the livechat-agent role), visitors, contacts and the
 * livechat rooms in a mix of open, queued, on-hold and closed states, all pointing at each other.
 */
import { DATA_END_MS, iso } from '../data/common.js';
import type { Dataset } from '../data/dataset.js';
import { identityUserIndex } from '../identities.js';
import type { Doc, Json } from '../mongo.js';
import { chance, int, meteorId, pick, rngFor, type Rng } from '../prng.js';
import { recountAgents, S_OMNICHANNEL, type OmnichannelStore, storeOf } from './store.js';

export type LivechatState = 'open' | 'queued' | 'onhold' | 'closed';

const DEPT_NAMES = ['Support', 'Ventas España', 'Billing 💳', 'Onboarding', '技術サポート', 'Après-vente', 'VIP', 'Escalations', 'Übersee', 'Ops'];
const VISITOR_NAMES = ['Jane Visitor', 'José Núñez', 'Zoë Å', '佐藤 花子', 'Олег', 'Visitor 🌎', 'Chloé', 'Tom'];
const TAGS = ['billing', 'bug', 'vip', 'refund', 'café', '問い合わせ'];
const DAY = 86_400_000;

/** Agents that serve the generated rooms: the admin, then the first generated agents. */
function servingAgents(ds: Dataset): number[] {
  const out = [identityUserIndex('admin')];
  const limit = Math.min(ds.users.baseCount, 2000);
  for (let i = 13; i < limit; i++) {
    const d = ds.users.doc(i);
    if (d.active === true && typeof d.username === 'string' && Array.isArray(d.roles) && d.roles.includes('livechat-agent')) out.push(i);
  }
  return out;
}

function departmentDoc(r: Rng, k: number, total: number): Doc {
  const name = k < DEPT_NAMES.length ? DEPT_NAMES[k] as string : `Department ${k}`;
  const d: Doc = {
    _id: meteorId(r), name, enabled: k !== 1, description: k % 2 === 0 ? '' : `Équipe ${name}`,
    showOnRegistration: k !== 2, showOnOfflineForm: true, email: `dept${k}@example.org`, offlineMessageChannelName: '',
    numAgents: 0, requestTagBeforeClosingChat: k === 3, chatClosingTags: k === 3 ? ['billing'] : [],
  };
  if (k % 3 !== 2) d.type = 'd'; // older departments carry no type
  if (k === total - 1 && total > 2) d.archived = true;
  d._updatedAt = iso(DATA_END_MS - int(r, 40, 400) * DAY);
  return d;
}

function departments(ds: Dataset, store: OmnichannelStore, r: Rng, agents: number[]): void {
  const n = Math.max(3, Math.min(DEPT_NAMES.length, Math.ceil(ds.sizes.livechatRooms / 6)));
  for (let k = 0; k < n; k++) store.departments.push(departmentDoc(r, k, n));
  // an EE business unit lives in the same collection; livechat/department never lists it
  store.departments.push({ _id: meteorId(r), name: 'Unit EMEA', type: 'u', enabled: true, numAgents: 0, _updatedAt: iso(DATA_END_MS - 50 * DAY) });
  for (const d of store.departments) store.departmentAgents.set(d._id as string, []);
  agents.forEach((i, k) => {
    const uid = ds.users.ids[i] as string;
    const first = store.departments[k % n] as Doc;
    (store.departmentAgents.get(first._id as string) as string[]).push(uid);
    if (k === 0 && n > 1) (store.departmentAgents.get((store.departments[1] as Doc)._id as string) as string[]).push(uid);
  });
  recountAgents(store);
}

function visitorDoc(r: Rng, k: number): Doc {
  const ts = DATA_END_MS - int(r, 31, 200) * DAY;
  const v: Doc = { _id: meteorId(r), username: `guest-${1000 + k}`, ts: iso(ts), _updatedAt: iso(ts + int(r, 1, 9999)), token: meteorId(r, 24) };
  if (k % 5 !== 4) v.name = `${pick(r, VISITOR_NAMES)} ${k}`;
  if (k % 3 === 0) v.phone = [{ phoneNumber: `+1555010${String(k).padStart(4, '0')}` }];
  else if (k % 7 === 1) v.phone = null;
  if (k % 4 !== 3) v.visitorEmails = [{ address: k % 6 === 0 ? `Visitor.${k}@Example.ORG` : `visitor.${k}@example.org` }];
  v.status = pick(r, ['online', 'away', 'offline']);
  if (k % 2 === 0) v.livechatData = { order: `A-${1000 + k}` };
  v.userAgent = 'Mozilla/5.0 (emulated)';
  v.ip = `198.51.100.${k % 250}`;
  v.host = 'www.example.org';
  return v;
}

/** The first states are scripted so that every state exists; the rest are drawn. */
function stateOf(r: Rng, k: number): LivechatState {
  const scripted: LivechatState[] = ['closed', 'open', 'queued', 'onhold'];
  if (k < scripted.length) return scripted[k] as LivechatState;
  const x = r();
  return x < 0.5 ? 'closed' : x < 0.75 ? 'open' : x < 0.87 ? 'queued' : 'onhold';
}

interface RoomCtx { ds: Dataset; store: OmnichannelStore; r: Rng; agents: number[] }

/** A livechat room document (IOmnichannelRoom) in state `state`, created at `ts`. */
export function livechatRoomDoc(c: RoomCtx, visitor: Doc, state: LivechatState, ts: number, id?: string): Doc {
  const { ds, store, r } = c;
  const _id = id ?? meteorId(r);
  const served = state !== 'queued';
  const agent = served ? ds.userRef(pick(r, c.agents)) : undefined;
  const depts = store.departments.filter((d) => d.type !== 'u');
  const dept = chance(r, 0.75) ? pick(r, depts) : undefined;
  const closed = state === 'closed';
  const lmMs = Math.min(DATA_END_MS - 1000, ts + int(r, 10_000, 3_600_000));
  const room: Doc = {
    _id, fname: (visitor.name as string | undefined) ?? (visitor.username as string), t: 'l', msgs: int(r, 1, 60),
    usersCount: served && !closed ? 1 : 0, lm: iso(lmMs), ts: iso(ts),
    v: { _id: visitor._id as string, username: visitor.username as string, token: visitor.token as string, status: closed ? 'offline' : (visitor.status as string), ...(visitor.name ? { name: visitor.name as string } : {}), lastMessageTs: iso(lmMs) },
    source: chance(r, 0.8) ? { type: 'widget', alias: 'website' } : { type: 'api' },
    cl: false, waitingResponse: !closed && chance(r, 0.5), queuedAt: iso(ts), livechatData: { orderId: `#${int(r, 1000, 9999)}` },
  };
  if (agent) room.servedBy = { _id: agent._id as string, username: agent.username as string, ts: iso(ts + 5000) };
  if (!closed) room.open = true;
  if (state === 'onhold') room.onHold = true;
  if (dept) room.departmentId = dept._id as string;
  if (chance(r, 0.4)) room.tags = [pick(r, TAGS)];
  room.metrics = { v: { lq: iso(lmMs) }, ...(agent ? { servedBy: { lr: iso(lmMs - 1000) }, response: { tt: 30, total: 2, avg: 15, ft: 12 } } : {}) };
  if (agent) room.responseBy = { _id: agent._id as string, username: agent.username as string, firstResponseTs: iso(ts + 12_000), lastMessageTs: iso(lmMs - 1000) };
  if (closed) closeFields(room, Math.min(DATA_END_MS - 10, lmMs + int(r, 1, 600_000)), agent);
  room.priorityWeight = 9999;
  room.estimatedWaitingTimeQueue = 9_999_999;
  room._updatedAt = iso(closed ? Date.parse(room.closedAt as string) : lmMs + 20);
  return room;
}

/** Sets the fields closeRoom writes (and removes `open`/`onHold`). */
export function closeFields(room: Doc, closedMs: number, agent: Doc | undefined): void {
  delete room.open;
  delete room.onHold;
  room.closedAt = iso(closedMs);
  room.closer = agent ? 'user' : 'visitor';
  if (agent) room.closedBy = { _id: agent._id as string, username: agent.username as string };
  const started = Date.parse(room.ts as string);
  const metrics = (room.metrics ?? {}) as Record<string, Json>;
  metrics.chatDuration = Math.round((closedMs - started) / 1000);
  metrics.serviceTimeDuration = Math.max(0, Math.round((closedMs - started) / 1000) - 5);
  room.metrics = metrics;
  room.v = { ...(room.v as Doc), status: 'offline' };
}

/** The contact of a visitor (one channel: the widget). */
export function contactDoc(r: Rng, visitor: Doc, agents: number[], ds: Dataset): Doc {
  const emails = (visitor.visitorEmails as Doc[] | undefined)?.map((e) => ({ address: e.address as string }));
  const phones = (visitor.phone as Doc[] | null | undefined)?.map((p) => ({ phoneNumber: p.phoneNumber as string }));
  const c: Doc = { _id: meteorId(r), name: (visitor.name as string | undefined) ?? (visitor.username as string) };
  if (emails?.length) c.emails = emails;
  if (phones?.length) c.phones = phones;
  if (chance(r, 0.3) && agents.length > 0) c.contactManager = ds.users.ids[pick(r, agents)] as string;
  c.unknown = !visitor.name;
  c.channels = [{
    name: 'widget', visitor: { visitorId: visitor._id as string, source: { type: 'widget' } }, verified: chance(r, 0.3),
    blocked: false, details: { type: 'widget', alias: 'website' },
  }];
  c.customFields = chance(r, 0.3) ? { company: 'Acme Ñ' } : {};
  c.createdAt = visitor.ts as string;
  c._updatedAt = visitor._updatedAt as string;
  return c;
}

/** Points a visitor and its contact at `room` as their last chat. */
export function linkLastChat(store: OmnichannelStore, room: Doc): void {
  const v = (room.v as Doc)._id;
  const lastChat = { _id: room._id as string, ts: room.ts as string };
  const visitor = store.visitors.find((x) => x._id === v);
  if (visitor) visitor.lastChat = lastChat;
  const contact = store.contacts.find((c) => (c.channels as Doc[] | undefined)?.some((ch) => (ch.visitor as Doc).visitorId === v));
  if (contact) {
    contact.lastChat = lastChat;
    const ch = (contact.channels as Doc[])[0] as Doc;
    ch.lastChat = lastChat;
    room.contactId = contact._id as string;
  }
}

/** Builds the store's collections and returns the livechat rooms (to be added to Dataset.rooms). */
export function generateOmnichannel(ds: Dataset): Doc[] {
  const store = storeOf(ds);
  const r = rngFor(ds.seed, S_OMNICHANNEL);
  const agents = servingAgents(ds);
  departments(ds, store, r, agents);
  const n = ds.sizes.livechatRooms;
  const nVisitors = Math.max(1, Math.ceil(n * 0.8)) + 2;
  for (let k = 0; k < nVisitors; k++) store.visitors.push(visitorDoc(r, k));
  const disabled = visitorDoc(r, nVisitors);
  disabled.disabled = true;
  store.visitors.push(disabled);
  for (const v of store.visitors) store.contacts.push(contactDoc(r, v, agents, ds));
  const dc = store.contacts[store.contacts.length - 1] as Doc;
  for (const k of ['emails', 'phones', 'customFields', 'channels', 'name']) delete dc[k];
  dc.enabled = false;
  const ctx: RoomCtx = { ds, store, r, agents };
  const rooms: Doc[] = [];
  for (let k = 0; k < n; k++) {
    const visitor = store.visitors[k < nVisitors - 2 ? k : int(r, 0, nVisitors - 3)] as Doc;
    // two rooms share one creation millisecond: inclusive ranges and sort ties must hold
    const ts = k === 1 && rooms[0] ? Date.parse(rooms[0].ts as string) : DATA_END_MS - int(r, 1, 30 * DAY);
    rooms.push(livechatRoomDoc(ctx, visitor, stateOf(r, k), ts));
  }
  const byTs = rooms.slice().sort((a, b) => Date.parse(a.ts as string) - Date.parse(b.ts as string));
  for (const room of byTs) linkLastChat(store, room);
  for (const i of agents) storeOf(ds).agentFields.set(ds.users.ids[i] as string, agentFieldsOfIndex(i));
  return rooms;
}

function agentFieldsOfIndex(i: number): Doc {
  return { statusLivechat: i % 3 === 1 ? 'not-available' : 'available', livechat: { maxNumberSimultaneousChat: 2 + (i % 4) } };
}
