/**
 * User documents, generated from (seed, index): the same index always gives the same user, so
 * the user table keeps only a core per user and regenerates documents on demand. Indexes up to
 * IDENTITY_NAMES.length are the fixed users; the next few are scripted awkward cases (no username,
 * no name, inactive, bot, app); the rest are random.
 */
import { IDENTITY_NAMES } from '../identities.js';
import type { Doc, Json } from '../mongo.js';
import { chance, int, meteorId, pick, rngFor, type Rng } from '../prng.js';
import { DATA_END_MS, iso, S_USER, SPAN_MS } from './common.js';
import { fixedUser } from './fixed-users.js';
import { userFlags, type UserCore } from './user-flags.js';
import { APP_NAMES, BOT_NAMES, CITIES, DEPARTMENTS, DOMAINS, EMOJI, FIRST, LAST, WHOLE } from './words.js';

type UserType = 'user' | 'bot' | 'app';

interface UserKind {
  type: UserType;
  hasUsername: boolean;
  hasName: boolean;
  hasEmail: boolean;
  active: boolean;
}

interface UserNames {
  name: string | undefined;
  username: string | undefined;
  slug: string;
}

/**
 * Generates user `i`. With `coreOnly`, stops after the fields needed for sorting and visibility.
 * The PRNG is consumed in the same order either way, so core and full document agree.
 */
export function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: true): UserCore;
export function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: false): Doc;
export function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean): UserCore | Doc {
  return generateUserWith(rngFor(seed, S_USER, i), seed, i, customRoleIds, coreOnly, undefined);
}

export function generateUserWith(
  rng: Rng, seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean, createdAtMs: number | undefined,
): UserCore | Doc {
  if (i <= IDENTITY_NAMES.length) return fixedUser(seed, i, customRoleIds, coreOnly);
  const id = meteorId(rng);
  const kind = userKind(rng, i);
  const names = userNames(rng, i, kind.type);
  if (!kind.hasName) names.name = undefined;
  if (!kind.hasUsername) names.username = undefined;
  const flags = userFlags(names.username, names.name !== undefined, kind.hasEmail, kind.active, kind.type);
  if (coreOnly) return { id, username: names.username, flags };
  return userDocument(rng, id, i, kind, names, customRoleIds, createdAtMs);
}

function userKind(rng: Rng, i: number): UserKind {
  const k: UserKind = { type: 'user', hasUsername: true, hasName: true, hasEmail: true, active: true };
  const r = rng();
  switch (i) {
    case 7: k.hasUsername = false; k.hasName = false; break; // neither, but an email: admins see it
    case 8: k.hasUsername = false; k.hasName = false; k.hasEmail = false; break; // invisible to everyone
    case 9: k.hasName = false; break;
    case 10: k.active = false; break;
    case 11: k.type = 'bot'; k.hasEmail = false; break;
    case 12: k.type = 'app'; k.hasEmail = false; break;
    default:
      if (r < 0.01) k.type = 'bot';
      else if (r < 0.015) k.type = 'app';
      else if (r < 0.045) k.hasName = false;
      else if (r < 0.05) k.hasUsername = false;
      else if (r < 0.053) { k.hasUsername = false; k.hasName = false; k.hasEmail = chance(rng, 0.5); }
      if (k.type !== 'user') k.hasEmail = false;
      else if (chance(rng, 0.03)) k.hasEmail = false;
      if (k.type === 'user' && chance(rng, 0.05)) k.active = false;
  }
  return k;
}

function userNames(rng: Rng, i: number, type: UserType): UserNames {
  const v = rng();
  if (type === 'bot') {
    const b = pick(rng, BOT_NAMES);
    const slug = `${b.toLowerCase().replace(/ /g, '.')}`;
    return { name: `${b} 🤖`, slug, username: `${slug}.${i}` };
  }
  if (type === 'app') {
    const [display, s] = pick(rng, APP_NAMES);
    return { name: display, slug: `${s}.bot`, username: `${s}.bot${i}` };
  }
  if (v < 0.15) {
    const [display, s] = pick(rng, WHOLE);
    return { name: display, slug: s, username: `${s}${i}` };
  }
  const [fd, fs] = pick(rng, FIRST);
  const [ld, ls] = pick(rng, LAST);
  let name = `${fd} ${ld}`;
  if (chance(rng, 0.05)) name += pick(rng, EMOJI);
  const u = rng();
  let username: string;
  if (u < 0.66) username = `${fs}.${ls}${i}`;
  else if (u < 0.74) username = `${fs}_${ls}${i}`;
  else if (u < 0.8) username = `${fs[0]?.toUpperCase()}${fs.slice(1)}.${ls[0]?.toUpperCase()}${ls.slice(1)}${i}`;
  else if (u < 0.84) username = `${i}${fs}`;
  else if (u < 0.88) username = `${fd.toLowerCase()}.${ld.toLowerCase().replace(/ /g, '')}${i}`;
  else if (u < 0.92) username = `_${fs}${i}`;
  else if (u < 0.96) username = `${fs}-${ls}${i}`;
  else username = `${fs}${i}`;
  return { name, slug: `${fs}.${ls}`, username };
}

function userEmails(rng: Rng, slug: string, i: number): Json[] {
  const emails: Json[] = [];
  const domain = pick(rng, DOMAINS);
  const local = chance(rng, 0.1) ? `${slug.replace(/^./, (c) => c.toUpperCase())}${i}` : `${slug}${i}`;
  const address = chance(rng, 0.1) ? `${local}@${domain.toUpperCase()}` : `${local}@${domain}`;
  emails.push({ address, verified: chance(rng, 0.7) });
  if (chance(rng, 0.05)) emails.push({ address: `${slug}.${i}@users.noreply.example.org`, verified: false });
  return emails;
}

function userRoles(rng: Rng, type: UserType, customRoleIds: readonly string[]): string[] {
  if (type === 'bot') return ['bot'];
  if (type === 'app') return ['app'];
  const rr = rng();
  if (rr < 0.02) return ['user', 'admin'];
  if (rr < 0.05 && customRoleIds.length > 0) return ['user', pick(rng, customRoleIds)];
  if (rr < 0.07) return ['guest'];
  if (rr < 0.08) return ['user', 'livechat-agent'];
  return ['user'];
}

function userStatus(rng: Rng, type: UserType, active: boolean): string {
  const st = rng();
  if (!active) return 'offline';
  if (type === 'bot') return 'online';
  return st < 0.6 ? 'offline' : st < 0.8 ? 'online' : st < 0.9 ? 'away' : 'busy';
}

const UTC_OFFSETS = [0, 1, 2, -3, -5, 5.5, 9, -8, 5.75, 3.5, 10];

function userDocument(
  rng: Rng, id: string, i: number, kind: UserKind, names: UserNames, customRoleIds: readonly string[],
  createdAtMs: number | undefined,
): Doc {
  const { type, active } = kind;
  const created = createdAtMs ?? DATA_END_MS - Math.floor(rng() * SPAN_MS);
  const neverLoggedIn = type !== 'user' || chance(rng, 0.08);
  const lastLogin = neverLoggedIn ? undefined : created + Math.floor(rng() * Math.max(1, (createdAtMs ?? DATA_END_MS) - created));
  const updated = Math.max(created, lastLogin ?? 0) + int(rng, 0, 5000);
  const emails = kind.hasEmail ? userEmails(rng, names.slug, i) : [];
  const roles = userRoles(rng, type, customRoleIds);
  const status = userStatus(rng, type, active);
  const doc: Doc = {
    _id: id,
    createdAt: iso(created),
    services: type === 'user' ? { password: { bcrypt: `$2b$10$${meteorId(rng, 22)}` } } : {},
    username: names.username,
    emails: emails.length > 0 ? emails : undefined,
    type,
    status,
    active,
    _updatedAt: iso(updated),
    roles,
    name: names.name,
    lastLogin: lastLogin === undefined ? undefined : iso(lastLogin),
    statusConnection: status === 'offline' ? 'offline' : 'online',
    utcOffset: pick(rng, UTC_OFFSETS),
  };
  if (chance(rng, 0.4)) doc.avatarETag = meteorId(rng);
  if (type === 'user' && chance(rng, 0.3)) {
    const [city, country] = pick(rng, CITIES);
    doc.customFields = { department: pick(rng, DEPARTMENTS), location: { city, country }, employeeId: int(rng, 1000, 99999) };
  }
  if (!active) doc.inactiveReason = 'deactivated';
  if (type === 'app') doc.appId = `${meteorId(rng, 8).toLowerCase()}-${meteorId(rng, 4).toLowerCase()}`;
  if (type === 'bot' && chance(rng, 0.5)) doc.statusText = 'beep boop';
  return doc;
}
