/**
 * The fields and values a real workspace serves and the base generators never write, added on
 * top of the generated records from PRNG streams of their own (so every other value stays as it
 * was): subscription `blocked`/`blocker`/`code`/`department` (typed `unknown` in core-typings, so
 * every JSON shape) and `*PrefOrigin`; room `federated`, `retention` and omnichannel `tags`;
 * legacy roles without `description`/`protected` (or without `name`); users with `roles: []`;
 * and awkward text (nasty-text.ts) in display names, topics, announcements and descriptions.
 * Field lists: subscriptionFields and roomFields in
 * https://github.com/RocketChat/Rocket.Chat/blob/develop/apps/meteor/lib/publishFields.ts
 */
import type { Doc, Json } from '../mongo.js';
import { chance, int, meteorId, pick, rngFor, type Rng } from '../prng.js';
import { DATA_END_MS, iso, S_NASTY_ROLES, S_NASTY_ROOMS, S_NASTY_SUBS, S_NASTY_USERS, SPAN_MS } from './common.js';
import type { Dataset } from './dataset.js';
import { description20k, NASTY_KINDS, NASTY_NAMES, NASTY_TOPICS } from './nasty-text.js';
import { FIXED_USERS } from './user-flags.js';

/** Every JSON shape an `unknown`-typed field can take, in the order they are handed out. */
export const UNKNOWN_SHAPES: readonly Json[] = [true, false, 'yes', 1, { reason: 'spam' }, ['x'], null];

// ------------------------------------------------------------------------------------------ rooms

/** Room fields (federated, retention, tags) and awkward texts; runs before the subscriptions exist. */
export function decorateRooms(ds: Dataset): void {
  const r = rngFor(ds.seed, S_NASTY_ROOMS);
  const plain = ds.rooms.filter((x) => (x.t === 'c' || x.t === 'p') && x._id !== 'GENERAL' && !x.teamMain);
  plain.forEach((room, k) => roomTexts(r, room, k));
  let livechat = 0;
  for (const room of ds.rooms) {
    if (room.t === 'l') room.tags = [[], ['billing', 'vip'], ['réclamation', 'niveau 2']][livechat++ % 3] as string[];
    if (room.t !== 'c' && room.t !== 'p') continue;
    const f = r();
    if (f < 0.06) room.federated = true;
    else if (f < 0.1) room.federated = false;
    if (chance(r, 0.12)) room.retention = retention(r);
  }
}

/** The first rooms get one awkward text each (so small workspaces have them all), later ones at random. */
function roomTexts(r: Rng, room: Doc, k: number): void {
  const scripted: Array<(x: Doc) => void> = [
    (x) => { x.description = description20k(); },
    (x) => { x.topic = NASTY_TOPICS[0] as string; },
    (x) => { x.fname = NASTY_NAMES.long; },
    (x) => { x.fname = NASTY_NAMES.combining; },
    (x) => { x.announcement = NASTY_NAMES.html; },
    (x) => { x.description = NASTY_NAMES.backslashes; },
    (x) => { x.fname = NASTY_NAMES.separators; },
  ];
  const step = scripted[k];
  if (step) { step(room); return; }
  if (chance(r, 0.08)) room.topic = pick(r, NASTY_TOPICS);
  if (chance(r, 0.04)) room.fname = NASTY_NAMES[pick(r, NASTY_KINDS)];
}

/** A room's override of the retention policy (IRoomWithRetentionPolicy: maxAge in days). */
function retention(r: Rng): Doc {
  return {
    enabled: chance(r, 0.8), overrideGlobal: true, maxAge: int(r, 1, 365),
    filesOnly: chance(r, 0.3), excludePinned: chance(r, 0.5), ignoreThreads: chance(r, 0.3),
  };
}

// ---------------------------------------------------------------------------------- subscriptions

/**
 * blocked/blocker on direct messages (the admin blocks the user in their scripted DM), code and
 * department (omnichannel), each of the four in every JSON shape somewhere; *PrefOrigin beside
 * the notification preferences.
 */
export function decorateSubscriptions(ds: Dataset): void {
  const r = rngFor(ds.seed, S_NASTY_SUBS);
  const next = { blocked: 0, blocker: 0, code: 0, department: 0 };
  const shape = (field: keyof typeof next): Json => UNKNOWN_SHAPES[next[field]++ % UNKNOWN_SHAPES.length] as Json;
  const admin = ds.identities.admin.userId;
  const user = ds.identities.user.userId;
  const pairDm = [admin, user].sort().join('');
  let dm = 0;
  let livechat = 0;
  let other = 0;
  for (const s of ds.subscriptions) {
    const uid = (s.u as Doc)._id;
    if (s.rid === pairDm) {
      if (uid === admin) s.blocker = true;
      if (uid === user) s.blocked = true;
    } else if (s.t === 'd') {
      if (dm % 3 === 1) s.blocked = shape('blocked');
      if (dm++ % 3 === 2) s.blocker = shape('blocker');
    }
    if (s.t === 'l') {
      s.department = livechat++ % 2 === 0 ? meteorId(r) : shape('department');
      s.code = shape('code');
    } else if (s.t !== 'd') {
      if (other % 13 === 5) s.code = shape('code');
      if (other++ % 11 === 9) s.department = shape('department');
    }
    prefOrigins(r, s);
  }
}

function prefOrigins(r: Rng, s: Doc): void {
  const pairs: Array<[string, string]> = [
    ['desktopNotifications', 'desktopPrefOrigin'], ['mobilePushNotifications', 'mobilePrefOrigin'], ['emailNotifications', 'emailPrefOrigin'],
  ];
  for (const [pref, origin] of pairs) {
    if (s[pref] !== undefined) s[origin] = 'subscription';
    else if (chance(r, 0.08)) s[origin] = 'user';
  }
}

// ------------------------------------------------------------------------------------------ roles

/**
 * Roles from a workspace created by an old version: ids equal to names, no `description`, no
 * `protected`, no `mandatory2fa`; one without a `name` at all.
 */
export function legacyRoles(seed: number): Doc[] {
  const r = rngFor(seed, S_NASTY_ROLES);
  const stamp = (): string => iso(DATA_END_MS - SPAN_MS - int(r, 1, 365) * 86_400_000);
  return [
    { _id: 'Reviewer', name: 'Reviewer', scope: 'Users', _updatedAt: stamp() },
    { _id: meteorId(r), scope: 'Subscriptions', description: '', _updatedAt: stamp() },
  ];
}

// ------------------------------------------------------------------------------------------ users

/**
 * User `i`'s awkward variant, if any, from (seed, i) alone: `roles: []` (every role removed) or an
 * awkward display name. Indexes FIXED_USERS.. get one kind each, so every workspace has them;
 * later users at random. Never changes whether a name exists, so the user table's core holds.
 */
export function decorateUser(seed: number, i: number, doc: Doc): void {
  if (i < FIXED_USERS) return;
  const k = i - FIXED_USERS;
  if (k === 0) { doc.roles = []; return; }
  const scripted = NASTY_KINDS[k - 1];
  if (scripted !== undefined) { if (doc.name !== undefined) doc.name = NASTY_NAMES[scripted]; return; }
  const r = rngFor(seed, S_NASTY_USERS, i);
  const x = r();
  if (x < 0.01) doc.roles = [];
  else if (x < 0.03 && doc.name !== undefined) doc.name = NASTY_NAMES[pick(r, NASTY_KINDS)];
}
