/**
 * Which rooms the emulator's callers belong to (teams first, then rooms at per-caller rates, with a
 * few guarantees the tests rely on), and their subscription documents. Draws from its own PRNG
 * stream, after every room exists.
 */
import { IDENTITY_NAMES, identityUserIndex, type IdentityName } from '../identities.js';
import type { Doc } from '../mongo.js';
import { servedOpenBy } from '../omnichannel/store.js';
import { chance, int, meteorId, objectId, pick, rngFor, type Rng } from '../prng.js';
import { DATA_END_MS, iso, S_SUBS } from './common.js';
import type { Dataset } from './dataset.js';
import type { RoomGenerator } from './room-generator.js';
import type { GeneratedRooms } from './rooms.js';

interface Rates { c: number; p: number; teamRoom: number; discussion: number }
const RATES: Record<IdentityName, Rates> = {
  admin: { c: 0.8, p: 0.7, teamRoom: 0.7, discussion: 0.7 },
  user: { c: 0.45, p: 0.3, teamRoom: 0.5, discussion: 0.5 },
  bot: { c: 0.2, p: 0.1, teamRoom: 0.3, discussion: 0.2 },
  app: { c: 0.1, p: 0, teamRoom: 0, discussion: 0 },
  guest: { c: 0.1, p: 0, teamRoom: 0, discussion: 0 },
  restricted: { c: 0.05, p: 0, teamRoom: 0.3, discussion: 0 },
};

type Membership = Map<IdentityName, Set<string>>;

export function memberships(gen: RoomGenerator, rooms: GeneratedRooms): void {
  const ds = gen.ds;
  const r = rngFor(ds.seed, S_SUBS);
  const member: Membership = new Map();
  for (const n of IDENTITY_NAMES) member.set(n, new Set(['GENERAL']));
  joinTeams(ds);
  for (const n of IDENTITY_NAMES) joinRooms(ds, r, n, member.get(n) as Set<string>, rooms);
  guarantees(ds, member, rooms);
  // subscription documents, in room natural order per caller, then interleaved by ts
  const subs: Doc[] = [];
  for (const n of IDENTITY_NAMES) {
    const set = member.get(n) as Set<string>;
    for (const room of ds.rooms) if (set.has(room._id as string)) subs.push(subscription(gen, r, n, room));
  }
  subs.sort((a, b) => ((a.ts as string) < (b.ts as string) ? -1 : (a.ts as string) > (b.ts as string) ? 1 : 0));
  ds.subscriptions.push(...subs);
}

function joinTeams(ds: Dataset): void {
  const nt = ds.teams.length;
  ds.teams.forEach((team, k) => {
    const m = ds.teamMembers.get(team._id as string) as Set<string>;
    const join = (n: IdentityName) => m.add(ds.identities[n].userId);
    if (nt < 2 || k < nt - 1) join('admin');
    if ((k === 0 && nt > 1) || (k % 2 === 1 && k < nt - 1) || (nt === 1)) join('user');
    if (k === 0) { join('bot'); join('restricted'); }
  });
}

function joinRooms(ds: Dataset, r: Rng, n: IdentityName, set: Set<string>, rooms: GeneratedRooms): void {
  const rates = RATES[n];
  const uid = ds.identities[n].userId;
  for (const room of rooms.channels) if (!room.teamId && chance(r, rates.c)) set.add(room._id as string);
  for (const room of rooms.groups) if (!room.teamId && chance(r, rates.p)) set.add(room._id as string);
  for (const team of ds.teams) {
    if (!ds.teamMembers.get(team._id as string)?.has(uid)) continue;
    for (const room of rooms.teamRooms.get(team._id as string) ?? []) {
      if (room.teamMain || chance(r, rates.teamRoom)) set.add(room._id as string);
    }
  }
  for (const d of rooms.discussions) if (set.has(d.prid as string) && chance(r, rates.discussion)) set.add(d._id as string);
  for (const room of ds.rooms) {
    if (room.t === 'd' && (room.uids as string[]).includes(uid)) set.add(room._id as string);
    if (servedOpenBy(room, uid)) set.add(room._id as string);
  }
}

/**
 * The admin misses at least one public non-team channel and one team channel of its own teams;
 * the guest is in at least two public channels; the user shares a plain channel with the admin.
 */
function guarantees(ds: Dataset, member: Membership, rooms: GeneratedRooms): void {
  const admin = member.get('admin') as Set<string>;
  const plain = rooms.channels.filter((c) => !c.teamId);
  if (plain.length > 1 && plain.every((c) => admin.has(c._id as string))) admin.delete(plain[plain.length - 1]?._id as string);
  const adminTeamRooms = ds.teams.filter((t) => ds.teamMembers.get(t._id as string)?.has(ds.identities.admin.userId))
    .flatMap((t) => (rooms.teamRooms.get(t._id as string) ?? []).filter((room) => !room.teamMain));
  if (adminTeamRooms.length > 1 && adminTeamRooms.every((room) => admin.has(room._id as string))) {
    admin.delete(adminTeamRooms[adminTeamRooms.length - 1]?._id as string);
  }
  const guest = member.get('guest') as Set<string>;
  for (const c of plain.slice(0, 2)) guest.add(c._id as string);
  const plainAdminIn = plain.find((c) => admin.has(c._id as string));
  if (plainAdminIn) member.get('user')?.add(plainAdminIn._id as string);
}

/** The subscription's name and fname: the other members for a DM, the visitor for livechat. */
function subscriptionNames(gen: RoomGenerator, r: Rng, n: IdentityName, room: Doc): [string | undefined, string | null | undefined] {
  const ds = gen.ds;
  const userId = ds.identities[n].userId;
  if (room.t === 'd') {
    const others = (room.uids as string[]).map((id, k) => [id, (room.usernames as string[])[k] as string] as const).filter(([id]) => id !== userId);
    const members = gen.dmMembers.get(room._id as string) ?? [];
    const fname = others.map(([id, un]) => {
      const i = members.find((m) => ds.users.ids[m] === id);
      return (i !== undefined ? (ds.users.doc(i).name as string | undefined) : undefined) ?? un;
    }).join(', ');
    return [others.map(([, un]) => un).join(', '), fname];
  }
  if (room.t === 'l') return [(room.v as Doc).username as string, room.fname as string];
  const name = room.name as string | undefined;
  if (room._id === 'GENERAL' || chance(r, 0.1)) return [name, null];
  return [name, (room.fname as string | undefined) ?? name];
}

function subscription(gen: RoomGenerator, r: Rng, n: IdentityName, room: Doc): Doc {
  const ds = gen.ds;
  const roomTs = Date.parse(room.ts as string);
  const ts = Math.min(DATA_END_MS - 1000, roomTs + int(r, 0, 86_400_000 * 20));
  const roomUpdated = Date.parse(room._updatedAt as string);
  const updated = Math.min(DATA_END_MS, Math.max(ts + 1, roomUpdated + int(r, -86_400_000, 86_400_000)));
  const unread = chance(r, 0.6) ? 0 : int(r, 1, 120);
  const [name, fname] = subscriptionNames(gen, r, n, room);
  const s: Doc = {
    _id: chance(r, 0.8) ? meteorId(r) : objectId(r, ts),
    open: room.t === 'l' ? true : chance(r, 0.9),
    alert: unread > 0,
    unread,
    userMentions: unread > 0 ? int(r, 0, 3) : 0,
    groupMentions: unread > 0 ? int(r, 0, 2) : 0,
    ts: iso(ts),
    rid: room._id as string,
    name: name ?? (room._id as string),
    fname,
    t: room.t as string,
    u: ds.userRef(identityUserIndex(n)),
    _updatedAt: iso(updated),
    ls: iso(Math.max(ts, updated - int(r, 0, 3_600_000))),
  };
  if (chance(r, 0.5)) s.lr = s.ls;
  subscriptionExtras(r, ds.identities[n].userId, room, s);
  return s;
}

function subscriptionExtras(r: Rng, userId: string, room: Doc, s: Doc): void {
  const creator = room.u as Doc | undefined;
  if (creator && creator._id === userId) s.roles = ['owner'];
  else if (room.t !== 'd' && chance(r, 0.05)) s.roles = [pick(r, ['moderator', 'leader'])];
  if (chance(r, 0.1)) s.f = true;
  if (chance(r, 0.15)) s.desktopNotifications = pick(r, ['all', 'mentions', 'nothing']);
  if (chance(r, 0.1)) s.mobilePushNotifications = pick(r, ['all', 'mentions', 'nothing']);
  if (chance(r, 0.05)) s.emailNotifications = 'nothing';
  if (chance(r, 0.05)) s.unreadAlert = pick(r, ['default', 'all', 'mentions', 'nothing']);
  if (chance(r, 0.6)) { s.tunread = []; s.tunreadUser = []; s.tunreadGroup = []; }
  if (chance(r, 0.05)) s.tunread = [meteorId(r)];
  if (room.prid) s.prid = room.prid as string;
  if (room.archived) s.archived = true;
  if (room.encrypted) s.E2EKey = `${meteorId(r, 12)}${meteorId(r, 30)}`;
  if (chance(r, 0.03)) s.hideUnreadStatus = true;
  if (room.t === 'l') s.v = { _id: (room.v as Doc)._id, username: (room.v as Doc).username, token: (room.v as Doc).token };
  // stored but outside subscriptions.get's projection
  if (room.teamId) { s.teamId = room.teamId; if (room.teamMain) s.teamMain = true; }
  if (chance(r, 0.05)) s.customFields = { pinnedOrder: int(r, 1, 9) };
}
