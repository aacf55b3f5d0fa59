/**
 * The state shared by the room generators (rooms.ts, direct-rooms.ts, subscriptions.ts): one PRNG
 * stream for every room, in creation order, the names taken, and the member counts that are
 * implied rather than stored. Also builds the channel and private-group documents.
 */
import { identityUserIndex } from '../identities.js';
import type { Doc } from '../mongo.js';
import { chance, int, meteorId, objectId, pick, rngFor, type Rng } from '../prng.js';
import { DATA_END_MS, iso, S_ROOMS, SPAN_MS } from './common.js';
import type { Dataset } from './dataset.js';
import { F_HUMAN, FIXED_USERS } from './user-flags.js';
import { MESSAGES, SYS_MES_LISTS, TOPICS } from './words.js';

export class RoomGenerator {
  readonly rng: Rng;
  readonly names = new Set<string>();
  /** Room id → members that are not emulator callers (counted, not stored); -1: exact count. */
  readonly extraUsers = new Map<string, number>();
  /** Direct message id → member user indexes. */
  readonly dmMembers = new Map<string, number[]>();

  constructor(readonly ds: Dataset) {
    this.rng = rngFor(ds.seed, S_ROOMS);
  }

  randomTs(): number {
    return DATA_END_MS - Math.floor(this.rng() * SPAN_MS);
  }

  /** A random active human user (not an emulator caller), as an index. */
  randomHuman(): number {
    const n = this.ds.users.baseCount;
    for (let tries = 0; tries < 200; tries++) {
      const i = int(this.rng, FIXED_USERS, Math.max(FIXED_USERS, n - 1));
      if (i < n && ((this.ds.users.flags[i] ?? 0) & F_HUMAN) !== 0) return i;
    }
    return identityUserIndex('user');
  }

  uniqueName(base: string): string {
    let name = base;
    let k = 2;
    while (this.names.has(name)) name = `${base}-${k++}`;
    this.names.add(name);
    return name;
  }

  lastMessage(rid: string, lmMs: number, authorIdx: number): Doc {
    const text = pick(this.rng, MESSAGES);
    return {
      _id: meteorId(this.rng), rid, msg: text, ts: iso(lmMs), u: this.ds.userRef(authorIdx),
      _updatedAt: iso(lmMs + int(this.rng, 0, 40)), urls: [], mentions: [], channels: [],
      md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
    };
  }

  /** A channel ('c') or private group ('p'). */
  groupRoom(t: 'c' | 'p', base: string, opts: { fname?: string } = {}): Doc {
    const r = this.rng;
    const ts = this.randomTs();
    const _id = chance(r, 0.6) ? objectId(r, ts) : meteorId(r);
    const name = this.uniqueName(base);
    const creator = chance(r, 0.2) ? identityUserIndex('admin') : this.randomHuman();
    const msgs = chance(r, 0.15) ? 0 : int(r, 1, 5000);
    const lmMs = msgs > 0 ? ts + Math.floor(r() * (DATA_END_MS - ts)) : undefined;
    const updated = Math.min(DATA_END_MS, (lmMs ?? ts) + int(r, 0, 86_400_000));
    const room: Doc = { _id };
    room.fname = opts.fname ?? name;
    room._updatedAt = iso(updated);
    room.customFields = chance(r, 0.2) ? { costCenter: `CC-${int(r, 10, 99)}`, owners: { primary: 'ops', escalation: ['sre', 'dev'] } } : {};
    room.topic = pick(r, TOPICS);
    room.broadcast = chance(r, 0.05);
    room.encrypted = t === 'p' && chance(r, 0.2);
    room.name = name;
    room.t = t;
    room.msgs = msgs;
    room.usersCount = 0; // set after memberships
    room.u = this.ds.userRef(creator);
    room.ts = iso(ts);
    room.ro = chance(r, 0.05);
    room.default = false;
    const sm = r();
    if (sm < 0.85) room.sysMes = true;
    else if (sm < 0.92) room.sysMes = [...pick(r, SYS_MES_LISTS)];
    if (chance(r, 0.3)) room.description = chance(r, 0.5) ? 'Descripción del canal — ñ' : 'Channel for things';
    if (chance(r, 0.2)) room.announcement = '📣 Read the rules';
    if (chance(r, 0.25)) room.announcementDetails = chance(r, 0.6) ? null : { style: 'warning' };
    if (lmMs !== undefined) {
      room.lm = iso(lmMs);
      if (chance(r, 0.8)) room.lastMessage = this.lastMessage(_id, lmMs, this.randomHuman());
    }
    this.groupRoomExtras(t, room);
    this.extraUsers.set(_id, int(r, 0, Math.min(this.ds.users.baseCount, 400)));
    return room;
  }

  private groupRoomExtras(t: 'c' | 'p', room: Doc): void {
    const r = this.rng;
    if (chance(r, 0.05)) room.archived = true;
    if (t === 'c' && chance(r, 0.1)) room.featured = true;
    if (chance(r, 0.1)) room.favorite = true;
    if (chance(r, 0.08)) { room.joinCodeRequired = true; room.joinCode = String(int(r, 1000, 9999)); }
    if (chance(r, 0.1)) room.importIds = [`slack-C${meteorId(r, 8).toUpperCase()}`];
    if (chance(r, 0.1)) room.reactWhenReadOnly = true;
    if (chance(r, 0.2)) room.avatarETag = meteorId(r);
    if (chance(r, 0.05)) room.muted = [`spammer${int(r, 1, 99)}`];
    if (chance(r, 0.03)) room.unmuted = [];
    if (room.encrypted) room.e2eKeyId = meteorId(r, 12);
  }
}
