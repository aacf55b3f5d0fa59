/**
 * The deterministic Rocket.Chat workspace behind every route: users, rooms, subscriptions (of the
 * emulator's callers), teams, roles and the trash collections. Same seed and sizes, same data.
 *
 * Extra collections (a message store, omnichannel data, per-dataset caches) hang off the dataset
 * as extensions rather than as new fields here:
 *
 * ```ts
 * // emulator/messages/store.ts
 * export const MESSAGES = defineExtension('messages', (ds) => new MessageStore(ds));
 * // in a route handler
 * const store = ctx.ds.extension(MESSAGES);
 * ```
 *
 * An extension is created on first use and kept for the dataset's lifetime. To stay deterministic
 * it draws from its own PRNG stream (a free label from common.ts: `rngFor(ds.seed, label)`), not
 * from another collection's. Generated timestamps stay at or before DATA_END_MS; changes made later
 * take their `_updatedAt` from `ds.stamp()` and bump `ds.version` (caches key on it).
 */
import { buildIdentities, IDENTITY_NAMES, type Identity, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { DATA_END_MS, iso } from './common.js';
import { generateRoles } from './roles.js';
import { generateRooms } from './rooms.js';
import { FIXED_USERS } from './user-flags.js';
import { UserTable } from './user-table.js';

export interface DatasetSizes {
  users: number;
  channels: number;
  privateGroups: number;
  directMessages: number;
  discussions: number;
  teams: number;
  customRoles: number;
  livechatRooms: number;
  /** Chat messages over all rooms (emulator/messages/). */
  messages: number;
  /**
   * 0: display names as generated. N: every display name grows to N characters of awkward text
   * (escapes, non-ASCII, combining marks), for measuring the record path on text-heavy records.
   */
  userNameChars: number;
  seed: number;
}

export const DEFAULT_SIZES: Readonly<DatasetSizes> = {
  users: 250,
  channels: 40,
  privateGroups: 10,
  directMessages: 30,
  discussions: 5,
  teams: 6,
  customRoles: 3,
  livechatRooms: 30,
  messages: 5000,
  userNameChars: 0,
  seed: 42,
};

export interface TrashEntry {
  _id: string;
  _deletedAt: string;
  /** For subscriptions: the subscriber. Never served. */
  uid?: string;
}

/** A collection kept beside the base dataset; see the comment at the top of this file. */
export interface DatasetExtension<T> {
  readonly name: string;
  create(ds: Dataset): T;
}

export function defineExtension<T>(name: string, create: (ds: Dataset) => T): DatasetExtension<T> {
  return { name, create };
}

export class Dataset {
  readonly sizes: DatasetSizes;
  readonly seed: number;
  readonly identities: Record<IdentityName, Identity>;
  readonly users: UserTable;
  readonly roles: Doc[];
  /** Rooms in natural (insertion) order. */
  readonly rooms: Doc[] = [];
  readonly roomById = new Map<string, Doc>();
  /** The emulator callers' subscriptions, natural order. Other users' subscriptions are implicit. */
  readonly subscriptions: Doc[] = [];
  readonly teams: Doc[] = [];
  /** Team id → members among the emulator callers. */
  readonly teamMembers = new Map<string, Set<string>>();
  /** Team id → members that are not emulator callers (counted, not stored). */
  readonly teamExtraMembers = new Map<string, number>();
  readonly roomTrash: TrashEntry[] = [];
  readonly subscriptionTrash: TrashEntry[] = [];
  readonly customRoleIds: string[];
  /** Increases on every change; caches key on it. */
  version = 0;
  private lastStampMs: number;
  private readonly extensions = new Map<DatasetExtension<unknown>, unknown>();
  now: () => number;

  constructor(sizes: Partial<DatasetSizes> = {}, now: () => number = Date.now) {
    this.sizes = { ...DEFAULT_SIZES, ...stripUndefined(sizes) };
    this.sizes.users = Math.max(FIXED_USERS, Math.floor(this.sizes.users));
    this.seed = this.sizes.seed >>> 0;
    this.now = now;
    ({ roles: this.roles, customRoleIds: this.customRoleIds } = generateRoles(this.seed, this.sizes.customRoles));
    this.identities = buildIdentities(this.seed, this.customRoleIds[0]);
    this.users = new UserTable(this.seed, this.sizes.users, this.customRoleIds, this.sizes.userNameChars);
    generateRooms(this);
    this.lastStampMs = DATA_END_MS;
    for (const d of [...this.rooms, ...this.subscriptions, ...this.teams]) {
      const t = Date.parse(d._updatedAt as string);
      if (t > this.lastStampMs) this.lastStampMs = t;
    }
    for (const t of [...this.roomTrash, ...this.subscriptionTrash]) {
      const ms = Date.parse(t._deletedAt);
      if (ms > this.lastStampMs) this.lastStampMs = ms;
    }
  }

  /** This dataset's instance of `ext`, created on first use. */
  extension<T>(ext: DatasetExtension<T>): T {
    if (!this.extensions.has(ext)) this.extensions.set(ext, ext.create(this));
    return this.extensions.get(ext) as T;
  }

  /** A strictly increasing timestamp: max(now, previous + 1 ms), as an ISO string. */
  stamp(): string {
    const ms = Math.max(this.now(), this.lastStampMs + 1);
    this.lastStampMs = ms;
    return iso(ms);
  }

  get lastStamp(): string {
    return iso(this.lastStampMs);
  }

  identityByUserId(userId: string): Identity | undefined {
    for (const n of IDENTITY_NAMES) if (this.identities[n].userId === userId) return this.identities[n];
    return undefined;
  }

  /** {_id, username, name} of user index `i` (the shape of `u` in rooms and subscriptions). */
  userRef(i: number): Doc {
    const d = this.users.doc(i);
    const ref: Doc = { _id: d._id, username: d.username };
    if (d.name !== undefined) ref.name = d.name;
    return ref;
  }

  subscriptionsOf(userId: string): Doc[] {
    return this.subscriptions.filter((s) => (s.u as Doc)._id === userId);
  }

  isSubscribed(userId: string, rid: string): boolean {
    return this.subscriptions.some((s) => s.rid === rid && (s.u as Doc)._id === userId);
  }

  teamsOf(userId: string): Doc[] {
    return this.teams.filter((t) => this.teamMembers.get(t._id as string)?.has(userId));
  }

  addRoom(room: Doc): void {
    this.rooms.push(room);
    this.roomById.set(room._id as string, room);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
