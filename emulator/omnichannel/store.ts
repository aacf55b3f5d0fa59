/**
 * The omnichannel collections of the emulated workspace: visitors, contacts, departments and the
 * livechat fields of agents. Livechat rooms themselves live in `Dataset.rooms` (`t: 'l'`); every
 * room's `v` is a stored visitor, `servedBy` a user with the livechat-agent role, `departmentId` a
 * stored department and `contactId` a stored contact.
 * Shapes: https://github.com/RocketChat/Rocket.Chat/blob/develop/packages/core-typings/src/ILivechatContact.ts
 * and the other `ILivechat*` typings (see docs/rocketchat-api-notes.md#omnichannel).
 */
import type { Dataset, DatasetExtension } from '../data/dataset.js';
import type { Doc } from '../mongo.js';
import { rngFor, type Rng } from '../prng.js';

import { S_OMNICHANNEL_MUTATE } from '../data/common.js';

export { S_OMNICHANNEL } from '../data/common.js';

export interface OmnichannelStore {
  /** Livechat_enabled. Off: every livechat/omnichannel route answers error-omnichannel-is-disabled. */
  enabled: boolean;
  /** ILivechatVisitor documents, natural order. */
  readonly visitors: Doc[];
  /** ILivechatContact documents (one per visitor), natural order. */
  readonly contacts: Doc[];
  /** ILivechatDepartment documents, natural order (one EE unit, `type: 'u'`, is never listed). */
  readonly departments: Doc[];
  /** Department id → agent user ids (the livechat_department_agents collection). */
  readonly departmentAgents: Map<string, string[]>;
  /** Agent user id → `{statusLivechat, livechat}`, stored on the user document in Rocket.Chat. */
  readonly agentFields: Map<string, Doc>;
  /** PRNG of omnichannel mutations. */
  readonly rng: Rng;
}

export function emptyStore(seed: number): OmnichannelStore {
  return {
    enabled: true, visitors: [], contacts: [], departments: [], departmentAgents: new Map(), agentFields: new Map(),
    rng: rngFor(seed, S_OMNICHANNEL_MUTATE),
  };
}

/** A dataset extension (data/dataset.ts); generateOmnichannel fills it while the rooms are generated. */
const OMNICHANNEL: DatasetExtension<OmnichannelStore> = { name: 'omnichannel', create: (ds) => emptyStore(ds.seed) };

export function storeOf(ds: Dataset): OmnichannelStore {
  return ds.extension(OMNICHANNEL);
}

export const isLivechat = (r: Doc): boolean => r.t === 'l';

export function livechatRooms(ds: Dataset): Doc[] {
  return ds.rooms.filter(isLivechat);
}

export function departmentById(store: OmnichannelStore, id: unknown): Doc | undefined {
  return typeof id === 'string' ? store.departments.find((d) => d._id === id) : undefined;
}

export function visitorById(store: OmnichannelStore, id: unknown): Doc | undefined {
  return typeof id === 'string' ? store.visitors.find((v) => v._id === id) : undefined;
}

/** Whether the room is open and served by `userId` (the serving agent then holds a subscription). */
export function servedOpenBy(room: Doc, userId: string): boolean {
  return room.t === 'l' && room.open === true && (room.servedBy as Doc | undefined)?._id === userId;
}

const agentCache = new WeakMap<Dataset, { version: number; users: number; indexes: number[] }>();

/** Indexes of the alive users holding the livechat-agent role (natural order), cached per data version. */
export function agentIndexes(ds: Dataset): number[] {
  const hit = agentCache.get(ds);
  if (hit && hit.version === ds.version && hit.users === ds.users.ids.length) return hit.indexes;
  const indexes: number[] = [];
  for (let i = 0; i < ds.users.ids.length; i++) {
    if (!ds.users.isAlive(i)) continue;
    const roles = ds.users.doc(i).roles;
    if (Array.isArray(roles) && roles.includes('livechat-agent')) indexes.push(i);
  }
  agentCache.set(ds, { version: ds.version, users: ds.users.ids.length, indexes });
  return indexes;
}

/** The `{statusLivechat, livechat}` of an agent (deterministic default when never set). */
export function agentFieldsOf(store: OmnichannelStore, userId: string): Doc {
  let f = store.agentFields.get(userId);
  if (!f) {
    let h = 0;
    for (let i = 0; i < userId.length; i++) h = (h * 31 + userId.charCodeAt(i)) >>> 0;
    f = { statusLivechat: h % 3 === 0 ? 'not-available' : 'available', livechat: { maxNumberSimultaneousChat: 1 + (h % 6) } };
    store.agentFields.set(userId, f);
  }
  return f;
}

/** Department ids an agent belongs to, in department natural order. */
export function departmentsOfAgent(store: OmnichannelStore, userId: string): string[] {
  const out: string[] = [];
  for (const d of store.departments) if (store.departmentAgents.get(d._id as string)?.includes(userId)) out.push(d._id as string);
  return out;
}

/** Refreshes `numAgents` of every department from the agent table. */
export function recountAgents(store: OmnichannelStore): void {
  for (const d of store.departments) d.numAgents = store.departmentAgents.get(d._id as string)?.length ?? 0;
}
