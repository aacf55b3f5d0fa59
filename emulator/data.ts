/**
 * Deterministic Rocket.Chat workspace: users, rooms, subscriptions (of the emulator's callers),
 * teams, roles and the trash collections. Same seed and sizes, same data.
 *
 * Users scale to 1,000,000: only the id, username and a flags byte are kept per user; the full
 * document is regenerated from (seed, index) on demand, and two index orders (by `_id` and by
 * `username`) are sorted once at startup and maintained incrementally on mutation.
 * Rooms, subscriptions, teams and roles are small and kept as plain documents.
 */
import { chance, int, meteorId, objectId, pick, rngFor, type Rng } from './prng.js';
import { compareCodePoints, type Doc, type Json, type SortSpec, makeComparator, sortSpecKey } from './mongo.js';
import {
  buildIdentities, IDENTITY_NAMES, IDENTITY_SPECS, identityUserIndex, type Identity, type IdentityName,
} from './identities.js';
import { generateOmnichannel } from './omnichannel/generate.js';
import { emptyStore, servedOpenBy, type OmnichannelStore } from './omnichannel/store.js';

export interface DatasetSizes {
  users: number;
  channels: number;
  privateGroups: number;
  directMessages: number;
  discussions: number;
  teams: number;
  customRoles: number;
  livechatRooms: number;
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
  seed: 42,
};

/** All generated timestamps lie in the three years before this instant. */
export const DATA_END_MS = Date.UTC(2025, 5, 30, 12, 0, 0, 0);
const SPAN_MS = 3 * 365 * 86_400_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

// PRNG stream labels
const S_USER = 1;
const S_ROOMS = 2;
const S_SUBS = 3;
const S_ROLES = 5;
const S_TRASH = 8;
export const S_MUTATE = 9;
const S_INSERTED_USER = 10;

// user flags
export const F_USERNAME = 1;
export const F_NAME = 2;
export const F_EMAIL = 4;
export const F_ACTIVE = 8;
export const F_HUMAN = 16; // type 'user', active, has a username: a plausible room member/creator

/** Number of fixed users at the start of the table: rocket.cat, the identities, awkward cases. */
export const FIXED_USERS = 13;

// ---------------------------------------------------------------------------------------------
// Name pools (display, ascii slug)

const FIRST: ReadonlyArray<readonly [string, string]> = [
  ['Ana', 'ana'], ['José', 'jose'], ['Zoë', 'zoe'], ['François', 'francois'], ['Björn', 'bjorn'],
  ['Łukasz', 'lukasz'], ['Chloé', 'chloe'], ['Søren', 'soren'], ['Ángel', 'angel'], ['Émilie', 'emilie'],
  ['Jürgen', 'jurgen'], ['Olga', 'olga'], ['Mohammed', 'mohammed'], ['Priya', 'priya'], ['Wei', 'wei'],
  ['Yuki', 'yuki'], ['Kwame', 'kwame'], ['Liam', 'liam'], ['Emma', 'emma'], ['Sofía', 'sofia'],
  ['Mateo', 'mateo'], ['Anaïs', 'anais'], ['Çağla', 'cagla'], ['Siobhán', 'siobhan'], ['Oğuz', 'oguz'],
  ['Ingrid', 'ingrid'], ['Tomás', 'tomas'], ['Aoife', 'aoife'], ['Rafał', 'rafal'], ['Noah', 'noah'],
];
const LAST: ReadonlyArray<readonly [string, string]> = [
  ['García', 'garcia'], ['Müller', 'muller'], ['Dvořák', 'dvorak'], ['Østergaard', 'ostergaard'],
  ['Nuñez', 'nunez'], ['Smith', 'smith'], ['Kowalski', 'kowalski'], ['Dubois', 'dubois'], ['Rossi', 'rossi'],
  ['Silva', 'silva'], ['Yılmaz', 'yilmaz'], ['Okafor', 'okafor'], ['Patel', 'patel'], ['Tanaka', 'tanaka'],
  ['Chen', 'chen'], ['O’Brien', 'obrien'], ['van der Berg', 'vanderberg'], ['Lefèvre', 'lefevre'],
  ['Håkansson', 'hakansson'], ['Nakamura', 'nakamura'],
];
const WHOLE: ReadonlyArray<readonly [string, string]> = [
  ['山田 太郎', 'yamada.taro'], ['李小龙', 'li.xiaolong'], ['김민준', 'kim.minjun'], ['王芳', 'wang.fang'],
  ['佐藤 花子', 'sato.hanako'], ['Дмитрий Иванов', 'dmitry.ivanov'], ['Νίκος Παπαδόπουλος', 'nikos.papadopoulos'],
  ['فاطمة الزهراء', 'fatima.zahra'], ['אורי כהן', 'ori.cohen'], ['Nguyễn Văn An', 'nguyen.van.an'],
  ['ÉLODIE DUPONT', 'elodie.dupont'], ['ÅSA ÖBERG', 'asa.oberg'], ['JOHN O’NEILL', 'john.oneill'],
];
const EMOJI = [' 🚀', ' 🦊', ' 🎉', ' 🌻', ' ☕', ' 👩‍💻', ' 🏳️‍🌈'];
const BOT_NAMES = ['Deploy Bot', 'Standup Bot', 'Alert Manager', 'Giphy', 'Reminder', 'CI Status'];
const APP_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['Jira', 'jira'], ['GitHub', 'github'], ['Zapier', 'zapier'], ['Poll', 'poll'], ['Google Drive', 'gdrive'],
];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'corp.example.co.uk'];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Recursos Humanos', '研究開発', 'Ops'];
const CITIES: ReadonlyArray<readonly [string, string]> = [
  ['São Paulo', 'BR'], ['München', 'DE'], ['Kraków', 'PL'], ['東京', 'JP'], ['Lagos', 'NG'], ['Montréal', 'CA'],
  ['Reykjavík', 'IS'], ['Zürich', 'CH'],
];
const CHANNEL_WORDS = [
  'dev', 'backend', 'frontend', 'ops', 'random', 'support', 'sales', 'design', 'qa', 'release', 'infra',
  'security', 'data', 'mobile', 'marketing', 'hr', 'finance', 'legal', 'announcements', 'watercooler',
  'incidents', 'oncall', 'docs', 'api', 'growth', 'partners', 'events', 'hiring', 'alerts', 'feedback',
];
const CHANNEL_FNAMES = ['Café ☕', 'Équipe Qualité', '日本チーム', 'Ñandú Project', 'Zürich Office', 'Δ Delta', '🎉 Celebrations', 'Ünïcödé'];
const TEAM_NAMES: ReadonlyArray<readonly [string, string]> = [
  ['engineering', 'Engineering'], ['design', 'Design 🎨'], ['ventas-espana', 'Ventas España'],
  ['サポート', 'サポート'], ['ops', 'Ops'], ['marketing', 'Marketing'], ['data-science', 'Data Science'],
  ['qualite', 'Qualité'], ['finance', 'Finance'], ['légal', 'Légal'],
];
const CUSTOM_ROLES: ReadonlyArray<readonly [string, string, 'Users' | 'Subscriptions']> = [
  ['auditor', 'Read-only auditors (no permissions)', 'Users'],
  ['support-team', 'Support staff', 'Users'],
  ['équipe-qualité', 'Équipe qualité 🧪', 'Subscriptions'],
  ['read-only-观察员', '观察员', 'Users'],
  ['incident-commander', 'Runs incidents', 'Subscriptions'],
];
const TOPICS = ['', 'Weekly sync', 'Ask anything 🙋', 'Status: green ✅', 'Read the pinned messages', 'Ça va?', '話題なし'];
const MESSAGES = ['hello', 'again', 'LGTM 👍', 'ship it', 'Où est le rapport ?', 'ありがとう', 'see thread', '+1'];
const SYS_MES_LISTS: ReadonlyArray<readonly string[]> = [['uj', 'ul', 'ru'], ['au', 'mute_unmute'], ['room_changed_topic']];

// ---------------------------------------------------------------------------------------------
// Users

interface UserCore {
  id: string;
  username: string | undefined;
  flags: number;
}

// Identity ids come from identities.ts so tokens and ids agree.
let identityIdCache: { seed: number; ids: Map<IdentityName, string> } | undefined;
function identityIdFor(seed: number, name: IdentityName): string {
  if (!identityIdCache || identityIdCache.seed !== seed) {
    const ids = new Map<IdentityName, string>();
    const built = buildIdentities(seed, undefined);
    for (const n of IDENTITY_NAMES) ids.set(n, built[n].userId);
    identityIdCache = { seed, ids };
  }
  return identityIdCache.ids.get(name) as string;
}

/**
 * Generates user `i`. With `coreOnly`, stops after the fields needed for sorting and visibility.
 * The PRNG is consumed in the same order either way, so core and full document agree.
 */
function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: true): UserCore;
function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: false): Doc;
function generateUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean): UserCore | Doc {
  return generateUserWith(rngFor(seed, S_USER, i), seed, i, customRoleIds, coreOnly, undefined);
}

function generateUserWith(
  rng: Rng, seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean, createdAtMs: number | undefined,
): UserCore | Doc {
  if (i <= IDENTITY_NAMES.length) return fixedUser(seed, i, customRoleIds, coreOnly);
  const id = meteorId(rng);
  // kind
  let type: 'user' | 'bot' | 'app' = 'user';
  let hasUsername = true;
  let hasName = true;
  let hasEmail = true;
  let active = true;
  const r = rng();
  switch (i) {
    case 7: hasUsername = false; hasName = false; break; // neither, but an email: admins see it
    case 8: hasUsername = false; hasName = false; hasEmail = false; break; // invisible to everyone
    case 9: hasName = false; break;
    case 10: active = false; break;
    case 11: type = 'bot'; hasEmail = false; break;
    case 12: type = 'app'; hasEmail = false; break;
    default:
      if (r < 0.01) type = 'bot';
      else if (r < 0.015) type = 'app';
      else if (r < 0.045) hasName = false;
      else if (r < 0.05) hasUsername = false;
      else if (r < 0.053) { hasUsername = false; hasName = false; hasEmail = chance(rng, 0.5); }
      if (type !== 'user') hasEmail = false;
      else if (chance(rng, 0.03)) hasEmail = false;
      if (type === 'user' && chance(rng, 0.05)) active = false;
  }
  // name and username
  let name: string | undefined;
  let username: string | undefined;
  let slug: string;
  const v = rng();
  if (type === 'bot') {
    const b = pick(rng, BOT_NAMES);
    name = `${b} 🤖`;
    slug = `${b.toLowerCase().replace(/ /g, '.')}`;
    username = `${slug}.${i}`;
  } else if (type === 'app') {
    const [display, s] = pick(rng, APP_NAMES);
    name = display;
    slug = `${s}.bot`;
    username = `${slug}${i}`;
  } else if (v < 0.15) {
    const [display, s] = pick(rng, WHOLE);
    name = display;
    slug = s;
    username = `${s}${i}`;
  } else {
    const [fd, fs] = pick(rng, FIRST);
    const [ld, ls] = pick(rng, LAST);
    name = `${fd} ${ld}`;
    if (chance(rng, 0.05)) name += pick(rng, EMOJI);
    slug = `${fs}.${ls}`;
    const u = rng();
    if (u < 0.66) username = `${fs}.${ls}${i}`;
    else if (u < 0.74) username = `${fs}_${ls}${i}`;
    else if (u < 0.8) username = `${fs[0]?.toUpperCase()}${fs.slice(1)}.${ls[0]?.toUpperCase()}${ls.slice(1)}${i}`;
    else if (u < 0.84) username = `${i}${fs}`;
    else if (u < 0.88) username = `${fd.toLowerCase()}.${ld.toLowerCase().replace(/ /g, '')}${i}`;
    else if (u < 0.92) username = `_${fs}${i}`;
    else if (u < 0.96) username = `${fs}-${ls}${i}`;
    else username = `${fs}${i}`;
  }
  if (!hasName) name = undefined;
  if (!hasUsername) username = undefined;
  const flags = (username !== undefined ? F_USERNAME : 0) | (name !== undefined ? F_NAME : 0)
    | (hasEmail ? F_EMAIL : 0) | (active ? F_ACTIVE : 0)
    | (type === 'user' && active && username !== undefined ? F_HUMAN : 0);
  if (coreOnly) return { id, username, flags };

  // the rest of the document
  const created = createdAtMs ?? DATA_END_MS - Math.floor(rng() * SPAN_MS);
  const neverLoggedIn = type !== 'user' || chance(rng, 0.08);
  const lastLogin = neverLoggedIn ? undefined : created + Math.floor(rng() * Math.max(1, (createdAtMs ?? DATA_END_MS) - created));
  const updated = Math.max(created, lastLogin ?? 0) + int(rng, 0, 5000);
  const emails: Json[] = [];
  if (hasEmail) {
    const domain = pick(rng, DOMAINS);
    const local = chance(rng, 0.1) ? `${slug.replace(/^./, (c) => c.toUpperCase())}${i}` : `${slug}${i}`;
    const address = chance(rng, 0.1) ? `${local}@${domain.toUpperCase()}` : `${local}@${domain}`;
    emails.push({ address, verified: chance(rng, 0.7) });
    if (chance(rng, 0.05)) emails.push({ address: `${slug}.${i}@users.noreply.example.org`, verified: false });
  }
  let roles: string[];
  if (type === 'bot') roles = ['bot'];
  else if (type === 'app') roles = ['app'];
  else {
    const rr = rng();
    if (rr < 0.02) roles = ['user', 'admin'];
    else if (rr < 0.05 && customRoleIds.length > 0) roles = ['user', pick(rng, customRoleIds)];
    else if (rr < 0.07) roles = ['guest'];
    else if (rr < 0.08) roles = ['user', 'livechat-agent'];
    else roles = ['user'];
  }
  const st = rng();
  const status = !active ? 'offline' : type === 'bot' ? 'online' : st < 0.6 ? 'offline' : st < 0.8 ? 'online' : st < 0.9 ? 'away' : 'busy';
  const offsets = [0, 1, 2, -3, -5, 5.5, 9, -8, 5.75, 3.5, 10];
  const doc: Doc = {
    _id: id,
    createdAt: iso(created),
    services: type === 'user' ? { password: { bcrypt: `$2b$10$${meteorId(rng, 22)}` } } : {},
    username,
    emails: emails.length > 0 ? emails : undefined,
    type,
    status,
    active,
    _updatedAt: iso(updated),
    roles,
    name,
    lastLogin: lastLogin === undefined ? undefined : iso(lastLogin),
    statusConnection: status === 'offline' ? 'offline' : 'online',
    utcOffset: pick(rng, offsets),
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

function fixedUser(seed: number, i: number, customRoleIds: readonly string[], coreOnly: boolean): UserCore | Doc {
  if (i === 0) {
    const core: UserCore = { id: 'rocket.cat', username: 'rocket.cat', flags: F_USERNAME | F_NAME | F_ACTIVE };
    if (coreOnly) return core;
    return {
      _id: 'rocket.cat',
      createdAt: iso(DATA_END_MS - SPAN_MS - 86_400_000),
      avatarOrigin: 'local',
      name: 'Rocket.Cat',
      username: 'rocket.cat',
      status: 'online',
      statusDefault: 'online',
      utcOffset: 0,
      active: true,
      type: 'bot',
      _updatedAt: iso(DATA_END_MS - SPAN_MS),
      roles: ['bot'],
      avatarETag: 'ggB5vbNdMeGrdfqKx',
    };
  }
  const spec = IDENTITY_SPECS[i - 1];
  if (!spec) throw new Error(`no fixed user ${i}`);
  const id = identityIdFor(seed, spec.name);
  const hasEmail = spec.type === 'user';
  const core: UserCore = {
    id, username: spec.username,
    flags: F_USERNAME | F_NAME | F_ACTIVE | (hasEmail ? F_EMAIL : 0) | (spec.type === 'user' ? F_HUMAN : 0),
  };
  if (coreOnly) return core;
  const roles = spec.roles.flatMap((r) => (r === '$custom0' ? (customRoleIds[0] ? [customRoleIds[0]] : []) : [r]));
  const created = DATA_END_MS - SPAN_MS + i * 3_600_000;
  const doc: Doc = {
    _id: id,
    createdAt: iso(created),
    services: { password: { bcrypt: '$2b$10$emulatoremulatoremulat' }, resume: { loginTokens: [] } },
    username: spec.username,
    emails: hasEmail ? [{ address: `${spec.username}@example.com`, verified: true }] : undefined,
    type: spec.type,
    status: 'online',
    active: true,
    _updatedAt: iso(DATA_END_MS - 60_000 * i),
    roles,
    name: spec.displayName,
    lastLogin: iso(DATA_END_MS - 120_000 * i),
    statusConnection: 'online',
    utcOffset: spec.name === 'user' ? 5.5 : 0,
    avatarETag: meteorId(rngFor(seed, S_USER, i)),
    customFields: { department: 'Platform', location: { city: 'Zürich', country: 'CH' } },
    settings: {
      preferences: {
        enableAutoAway: false, idleTimeoutLimit: 300, desktopNotifications: 'mentions',
        mobileNotifications: 'mentions', unreadAlert: true, useEmojis: true, sidebarViewMode: 'medium',
        sendOnEnter: 'normal', messageViewMode: 0,
      },
    },
  };
  return doc;
}

export type Visibility = 'full' | 'limited';

/**
 * The users collection. Users live in "index space": base users 0..baseCount-1 are regenerated from
 * the seed; inserted and updated users are kept as documents in `overrides`.
 */
export class UserTable {
  readonly ids: string[] = [];
  readonly usernames: Array<string | undefined> = [];
  readonly flags: number[] = [];
  readonly deleted = new Set<number>();
  readonly overrides = new Map<number, Doc>();
  /** Alive indexes sorted by `_id` ascending. */
  byId: Int32Array;
  /** Alive indexes sorted by `username` ascending (missing first, ties by natural order). */
  byUsername: Int32Array;
  private readonly viewCache = new Map<string, Int32Array>();
  private emailIndex: Map<string, number[]> | undefined;
  private readonly idToIndex = new Map<string, number>();
  readonly baseCount: number;

  constructor(private readonly seed: number, count: number, private readonly customRoleIds: readonly string[]) {
    this.baseCount = count;
    for (let i = 0; i < count; i++) {
      const core = generateUser(seed, i, customRoleIds, true);
      this.ids.push(core.id);
      this.usernames.push(core.username);
      this.flags.push(core.flags);
    }
    const all = new Int32Array(count);
    for (let i = 0; i < count; i++) all[i] = i;
    this.byId = all.slice().sort(this.cmpId);
    this.byUsername = all.slice().sort(this.cmpUsername);
  }

  readonly cmpId = (a: number, b: number): number => {
    const x = this.ids[a] as string;
    const y = this.ids[b] as string;
    return x < y ? -1 : x > y ? 1 : a - b;
  };

  readonly cmpUsername = (a: number, b: number): number => {
    const x = this.usernames[a];
    const y = this.usernames[b];
    if (x === undefined || y === undefined) {
      if (x !== undefined) return 1;
      if (y !== undefined) return -1;
      return a - b;
    }
    return compareCodePoints(x, y) || a - b;
  };

  get size(): number {
    return this.ids.length - this.deleted.size;
  }

  isAlive(i: number): boolean {
    return i >= 0 && i < this.ids.length && !this.deleted.has(i);
  }

  indexOf(id: string): number {
    if (this.idToIndex.size === 0) for (let i = 0; i < this.ids.length; i++) this.idToIndex.set(this.ids[i] as string, i);
    const i = this.idToIndex.get(id);
    return i === undefined || this.deleted.has(i) ? -1 : i;
  }

  /** The stored document of user `i` (do not mutate; use `update`). */
  doc(i: number): Doc {
    const o = this.overrides.get(i);
    if (o) return o;
    if (i >= this.baseCount) throw new Error(`user ${i} has no document`);
    return generateUser(this.seed, i, this.customRoleIds, false);
  }

  visible(i: number, vis: Visibility): boolean {
    const f = this.flags[i] ?? 0;
    return (f & (F_USERNAME | F_NAME)) !== 0 || (vis === 'full' && (f & F_EMAIL) !== 0);
  }

  /** Appends new users (already generated documents). */
  insert(docs: Doc[]): number[] {
    const added: number[] = [];
    for (const d of docs) {
      const i = this.ids.length;
      const username = typeof d.username === 'string' ? d.username : undefined;
      const emails = d.emails;
      const flags = (username !== undefined ? F_USERNAME : 0) | (typeof d.name === 'string' ? F_NAME : 0)
        | (Array.isArray(emails) && emails.length > 0 ? F_EMAIL : 0) | (d.active ? F_ACTIVE : 0)
        | (d.type === 'user' && d.active && username !== undefined ? F_HUMAN : 0);
      this.ids.push(d._id as string);
      this.usernames.push(username);
      this.flags.push(flags);
      this.overrides.set(i, d);
      if (this.idToIndex.size > 0) this.idToIndex.set(d._id as string, i);
      added.push(i);
    }
    this.byId = mergeSorted(this.byId, added, this.cmpId);
    this.byUsername = mergeSorted(this.byUsername, added, this.cmpUsername);
    this.invalidate();
    return added;
  }

  remove(indexes: number[]): void {
    for (const i of indexes) this.deleted.add(i);
    const gone = new Set(indexes);
    this.byId = this.byId.filter((i) => !gone.has(i));
    this.byUsername = this.byUsername.filter((i) => !gone.has(i));
    this.invalidate();
  }

  /** Replaces user `i`'s document (username changes are reflected in the sort orders). */
  update(i: number, d: Doc): void {
    this.overrides.set(i, d);
    const username = typeof d.username === 'string' ? d.username : undefined;
    const emails = d.emails;
    this.flags[i] = (username !== undefined ? F_USERNAME : 0) | (typeof d.name === 'string' ? F_NAME : 0)
      | (Array.isArray(emails) && emails.length > 0 ? F_EMAIL : 0) | (d.active ? F_ACTIVE : 0)
      | (d.type === 'user' && d.active && username !== undefined ? F_HUMAN : 0);
    if (username !== this.usernames[i]) {
      this.byUsername = this.byUsername.filter((x) => x !== i);
      this.usernames[i] = username;
      this.byUsername = mergeSorted(this.byUsername, [i], this.cmpUsername);
    }
    this.invalidate();
  }

  private invalidate(): void {
    this.viewCache.clear();
    this.emailIndex = undefined;
  }

  /**
   * Indexes of the users matching the default users.list query for a caller class, in the order of
   * `spec`. `project` gives the document the aggregation sorts on (after $project/$addFields).
   */
  view(vis: Visibility, spec: SortSpec, project: (i: number) => Doc): Int32Array {
    const key = `${vis}|${sortSpecKey(spec)}`;
    const cached = this.viewCache.get(key);
    if (cached) return cached;
    let out: Int32Array;
    const only = spec.length === 1 ? spec[0] : undefined;
    if (only && (only[0] === '_id' || only[0] === 'username')) {
      const base = only[0] === '_id' ? this.byId : this.byUsername;
      out = base.filter((i) => this.visible(i, vis));
      if (only[1] === -1) out.reverse();
    } else {
      const idx: number[] = [];
      for (const i of this.byId) if (this.visible(i, vis)) idx.push(i);
      idx.sort((a, b) => a - b); // natural order, so ties keep insertion order
      const docs = new Map<number, Doc>();
      for (const i of idx) docs.set(i, project(i));
      const cmp = makeComparator(spec);
      idx.sort((a, b) => cmp(docs.get(a) as Doc, docs.get(b) as Doc) || a - b);
      out = Int32Array.from(idx);
    }
    this.viewCache.set(key, out);
    return out;
  }

  /** Alive users whose email address equals `address` case-insensitively (natural order). */
  byEmail(address: string): number[] {
    if (!this.emailIndex) {
      const m = new Map<string, number[]>();
      for (let i = 0; i < this.ids.length; i++) {
        if (this.deleted.has(i) || ((this.flags[i] ?? 0) & F_EMAIL) === 0) continue;
        const emails = this.doc(i).emails;
        if (!Array.isArray(emails)) continue;
        for (const e of emails) {
          const a = (e as { address?: string }).address;
          if (typeof a !== 'string') continue;
          const k = a.toLowerCase();
          const list = m.get(k);
          if (list) { if (!list.includes(i)) list.push(i); } else m.set(k, [i]);
        }
      }
      this.emailIndex = m;
    }
    return this.emailIndex.get(address.toLowerCase()) ?? [];
  }

  /**
   * Generates a brand-new user document (for mutations), deterministic given the PRNG state.
   * `offset`: position among users about to be inserted together (usernames are numbered by index).
   */
  newUserDoc(rng: Rng, nowMs: number, offset = 0): Doc {
    const i = this.ids.length + offset;
    const doc = generateUserWith(rngFor(Math.floor(rng() * 2 ** 32), S_INSERTED_USER, i), this.seed, i,
      this.customRoleIds, false, nowMs) as Doc;
    doc.createdAt = iso(nowMs);
    doc._updatedAt = iso(nowMs);
    return doc;
  }
}

/** Inserts `add` (unsorted indexes) into the sorted array `base`. */
function mergeSorted(base: Int32Array, add: number[], cmp: (a: number, b: number) => number): Int32Array {
  if (add.length === 0) return base;
  const extra = add.slice().sort(cmp);
  const out = new Int32Array(base.length + extra.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < base.length || j < extra.length) {
    if (j >= extra.length || (i < base.length && cmp(base[i] as number, extra[j] as number) <= 0)) out[k++] = base[i++] as number;
    else out[k++] = extra[j++] as number;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The dataset

export interface TrashEntry {
  _id: string;
  _deletedAt: string;
  /** For subscriptions: the subscriber. Never served. */
  uid?: string;
}

export class Dataset {
  readonly sizes: DatasetSizes;
  readonly seed: number;
  readonly identities: Record<IdentityName, Identity>;
  readonly users: UserTable;
  readonly roles: Doc[] = [];
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
  readonly customRoleIds: string[] = [];
  /** Visitors, contacts, departments and agent fields (omnichannel/store.ts). */
  readonly omnichannel: OmnichannelStore;
  /** Increases on every change; caches key on it. */
  version = 0;
  private lastStampMs: number;
  now: () => number;

  constructor(sizes: Partial<DatasetSizes> = {}, now: () => number = Date.now) {
    this.sizes = { ...DEFAULT_SIZES, ...stripUndefined(sizes) };
    this.sizes.users = Math.max(FIXED_USERS, Math.floor(this.sizes.users));
    this.seed = this.sizes.seed >>> 0;
    this.now = now;
    this.generateRoles();
    this.identities = buildIdentities(this.seed, this.customRoleIds[0]);
    this.users = new UserTable(this.seed, this.sizes.users, this.customRoleIds);
    this.omnichannel = emptyStore(this.seed);
    new RoomGenerator(this).run();
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

  private generateRoles(): void {
    const defaults: Array<[string, 'Users' | 'Subscriptions', string, boolean]> = [
      ['admin', 'Users', 'Admin', true], ['moderator', 'Subscriptions', 'Moderator', true],
      ['leader', 'Subscriptions', 'Leader', true], ['owner', 'Subscriptions', 'Owner', true],
      ['user', 'Users', '', true], ['bot', 'Users', '', true], ['app', 'Users', '', true],
      ['guest', 'Users', '', true], ['anonymous', 'Users', '', true],
      ['livechat-agent', 'Users', 'Livechat Agent', false], ['livechat-manager', 'Users', 'Livechat Manager', false],
    ];
    const rng = rngFor(this.seed, S_ROLES);
    let t = DATA_END_MS - SPAN_MS;
    for (const [name, scope, description, has2fa] of defaults) {
      t += int(rng, 1, 999);
      const role: Doc = { _id: name, name, scope, description };
      if (has2fa) role.mandatory2fa = false; // livechat roles come from older data without the flag
      role.protected = true;
      role._updatedAt = iso(t);
      this.roles.push(role);
    }
    for (let k = 0; k < this.sizes.customRoles; k++) {
      const [base, description, scope] = CUSTOM_ROLES[k % CUSTOM_ROLES.length] as (typeof CUSTOM_ROLES)[number];
      const name = k < CUSTOM_ROLES.length ? base : `${base}-${k}`;
      const id = meteorId(rng);
      this.customRoleIds.push(id);
      this.roles.push({
        _id: id, name, scope, description, mandatory2fa: k === 1, protected: false,
        _updatedAt: iso(DATA_END_MS - int(rng, 0, SPAN_MS)),
      });
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rooms, teams, subscriptions, trash

interface Rates { c: number; p: number; teamRoom: number; discussion: number }
const RATES: Record<IdentityName, Rates> = {
  admin: { c: 0.8, p: 0.7, teamRoom: 0.7, discussion: 0.7 },
  user: { c: 0.45, p: 0.3, teamRoom: 0.5, discussion: 0.5 },
  bot: { c: 0.2, p: 0.1, teamRoom: 0.3, discussion: 0.2 },
  app: { c: 0.1, p: 0, teamRoom: 0, discussion: 0 },
  guest: { c: 0.1, p: 0, teamRoom: 0, discussion: 0 },
  restricted: { c: 0.05, p: 0, teamRoom: 0.3, discussion: 0 },
};

class RoomGenerator {
  private readonly rng: Rng;
  private readonly names = new Set<string>();
  private readonly extraUsers = new Map<string, number>();
  private readonly dmMembers = new Map<string, number[]>();
  constructor(private readonly ds: Dataset) {
    this.rng = rngFor(ds.seed, S_ROOMS);
  }

  private randomTs(): number {
    return DATA_END_MS - Math.floor(this.rng() * SPAN_MS);
  }

  /** A random active human user (not an emulator caller), as an index. */
  private randomHuman(): number {
    const n = this.ds.users.baseCount;
    for (let tries = 0; tries < 200; tries++) {
      const i = int(this.rng, FIXED_USERS, Math.max(FIXED_USERS, n - 1));
      if (i < n && ((this.ds.users.flags[i] ?? 0) & F_HUMAN) !== 0) return i;
    }
    return identityUserIndex('user');
  }

  private uniqueName(base: string): string {
    let name = base;
    let k = 2;
    while (this.names.has(name)) name = `${base}-${k++}`;
    this.names.add(name);
    return name;
  }

  private roomId(ts: number): string {
    return chance(this.rng, 0.6) ? objectId(this.rng, ts) : meteorId(this.rng);
  }

  private lastMessage(rid: string, lmMs: number, authorIdx: number): Doc {
    const text = pick(this.rng, MESSAGES);
    const msg: Doc = {
      _id: meteorId(this.rng), rid, msg: text, ts: iso(lmMs), u: this.ds.userRef(authorIdx),
      _updatedAt: iso(lmMs + int(this.rng, 0, 40)), urls: [], mentions: [], channels: [],
      md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: text }] }],
    };
    return msg;
  }

  private groupRoom(t: 'c' | 'p', base: string, opts: { fname?: string } = {}): Doc {
    const r = this.rng;
    const ts = this.randomTs();
    const _id = this.roomId(ts);
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
    this.extraUsers.set(_id, int(r, 0, Math.min(this.ds.users.baseCount, 400)));
    return room;
  }

  run(): void {
    const ds = this.ds;
    const r = this.rng;
    const rooms: Doc[] = [];
    const cat = ds.userRef(0);

    // GENERAL
    const gTs = DATA_END_MS - SPAN_MS - 3_600_000;
    const gLm = DATA_END_MS - int(r, 0, 86_400_000);
    rooms.push({
      _id: 'GENERAL', ts: iso(gTs), t: 'c', name: 'general', usernames: [], msgs: int(r, 100, 100_000),
      usersCount: 0, _updatedAt: iso(gLm + 40), u: cat, default: true,
      lastMessage: this.lastMessage('GENERAL', gLm, this.randomHuman()), lm: iso(gLm),
    });
    this.names.add('general');
    this.extraUsers.set('GENERAL', 0);

    const channels: Doc[] = [];
    for (let k = 1; k < ds.sizes.channels; k++) {
      const base = k % 9 === 4 ? (pick(r, CHANNEL_FNAMES).toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'x')
        : `${pick(r, CHANNEL_WORDS)}${chance(r, 0.5) ? `-${pick(r, CHANNEL_WORDS)}` : ''}`;
      const fname = k % 7 === 3 ? pick(r, CHANNEL_FNAMES) : undefined;
      channels.push(this.groupRoom('c', base, fname === undefined ? {} : { fname }));
    }
    const groups: Doc[] = [];
    for (let k = 0; k < ds.sizes.privateGroups; k++) {
      groups.push(this.groupRoom('p', `private-${pick(r, CHANNEL_WORDS)}`));
    }
    rooms.push(...channels, ...groups);

    // teams and their main rooms
    const teamRooms = new Map<string, Doc[]>();
    for (let k = 0; k < ds.sizes.teams; k++) {
      const [slug, display] = TEAM_NAMES[k % TEAM_NAMES.length] as (typeof TEAM_NAMES)[number];
      const last = k === ds.sizes.teams - 1;
      const type = last ? 0 : chance(r, 0.7) ? 0 : 1;
      const main = this.groupRoom(type === 0 ? 'c' : 'p', k < TEAM_NAMES.length ? slug : `${slug}-${k}`, { fname: display });
      const createdMs = Date.parse(main.ts as string);
      const teamId = objectId(r, createdMs);
      main.teamMain = true;
      main.teamId = teamId;
      const creator = main.u as Doc;
      const team: Doc = {
        _id: teamId, name: main.name as string, type, createdAt: iso(createdMs),
        createdBy: { _id: creator._id as string, username: creator.username as string },
        _updatedAt: iso(createdMs + int(r, 20, 200)), roomId: main._id as string,
      };
      ds.teams.push(team);
      ds.teamMembers.set(teamId, new Set());
      ds.teamExtraMembers.set(teamId, int(r, 1, Math.min(200, ds.users.baseCount)));
      teamRooms.set(teamId, [main]);
      rooms.push(main);
    }
    // some channels and groups belong to teams
    if (ds.teams.length > 0) {
      const candidates = [...channels, ...groups];
      candidates.forEach((room, n) => {
        const forced = n === 0 && channels.length > 0; // at least one public team channel
        if (forced || chance(r, 0.25)) {
          const team = ds.teams[forced ? 0 : int(r, 0, ds.teams.length - 1)] as Doc;
          room.teamId = team._id as string;
          room.teamMain = false;
          if (chance(r, 0.3)) room.teamDefault = true;
          teamRooms.get(team._id as string)?.push(room);
        }
      });
    }

    // discussions
    const parents = [...channels, ...groups];
    const discussions: Doc[] = [];
    for (let k = 0; k < ds.sizes.discussions && parents.length > 0; k++) {
      const parent = pick(r, parents);
      const ts = Math.max(Date.parse(parent.ts as string) + 60_000, this.randomTs());
      const id = meteorId(r);
      const creator = this.randomHuman();
      const lm = Math.min(DATA_END_MS, ts + int(r, 0, 86_400_000 * 30));
      const d: Doc = {
        _id: id, fname: `💬 ${pick(r, ['Incident review', 'Budget 2025', 'Retro: sprint 42', 'Café ☕ plans', '設計レビュー'])}`,
        description: chance(r, 0.5) ? 'Discussion thread' : undefined,
        t: parent.t as string, prid: parent._id as string, name: id, msgs: int(r, 1, 300), usersCount: 0,
        u: ds.userRef(creator), ts: iso(ts), ro: false, default: false, sysMes: true,
        _updatedAt: iso(Math.min(DATA_END_MS, lm + 50)), lm: iso(lm),
      };
      if (d.description === undefined) delete d.description;
      if (parent.encrypted) d.encrypted = true;
      this.extraUsers.set(id, int(r, 0, 30));
      discussions.push(d);
    }
    rooms.push(...discussions);

    // direct messages
    const idIdx = (n: IdentityName) => identityUserIndex(n);
    const pairs: Array<number[]> = [];
    const scripted: Array<number[]> = [
      [idIdx('admin'), 0], [idIdx('user'), 0], [idIdx('admin'), idIdx('user')], [idIdx('bot'), idIdx('admin')],
      [idIdx('admin'), idIdx('user'), this.randomHuman()],
    ];
    const weights: Array<[IdentityName, number]> = [['admin', 0.45], ['user', 0.25], ['bot', 0.1], ['guest', 0.05], ['app', 0.03], ['restricted', 0.02]];
    const seen = new Set<string>();
    for (let k = 0; k < ds.sizes.directMessages; k++) {
      let members: number[];
      if (k < scripted.length) members = scripted[k] as number[];
      else {
        const x = r();
        let acc = 0;
        let who: IdentityName | undefined;
        for (const [n, w] of weights) { acc += w; if (x < acc) { who = n; break; } }
        members = who ? [idIdx(who), this.randomHuman()] : [this.randomHuman(), this.randomHuman()];
      }
      const key = members.map((i) => ds.users.ids[i]).sort().join('|');
      if (seen.has(key) || new Set(members).size !== members.length) continue;
      seen.add(key);
      pairs.push(members);
    }
    for (const members of pairs) {
      const uids = members.map((i) => ds.users.ids[i] as string);
      const usernames = members.map((i) => ds.users.usernames[i] as string);
      const ts = this.randomTs();
      const _id = members.length === 2 ? uids.slice().sort().join('') : meteorId(r);
      const msgs = int(r, 0, 400);
      const dm: Doc = {
        _id, t: 'd', usernames, usersCount: members.length, msgs, ts: iso(ts), uids, default: false, ro: false, sysMes: true,
      };
      let updated = ts + int(r, 0, 1000);
      if (msgs > 0) {
        const lm = Math.min(DATA_END_MS, ts + Math.floor(r() * (DATA_END_MS - ts)));
        updated = Math.min(DATA_END_MS, lm + int(r, 1, 60));
        dm._updatedAt = iso(updated);
        if (chance(r, 0.7)) dm.lastMessage = this.lastMessage(_id, lm, members[int(r, 0, members.length - 1)] as number);
        dm.lm = iso(lm);
      } else dm._updatedAt = iso(updated);
      if (members.length > 2) dm.fname = members.map((i) => (ds.users.doc(i).name as string | undefined) ?? ds.users.usernames[i]).join(', ');
      this.extraUsers.set(_id, -1); // exact member count
      this.dmMembers.set(_id, members);
      rooms.push(dm);
    }

    // omnichannel rooms, with their visitors, contacts, departments and agents
    for (const room of generateOmnichannel(ds)) {
      rooms.push(room);
      this.extraUsers.set(room._id as string, -1);
    }

    // natural order = creation order
    rooms.sort((a, b) => (a._id === 'GENERAL' ? -1 : b._id === 'GENERAL' ? 1 : compareCodePoints(a.ts as string, b.ts as string)));
    for (const room of rooms) ds.addRoom(room);

    this.memberships(channels, groups, discussions, teamRooms);

    // usersCount: callers subscribed + implicit members
    const subCount = new Map<string, number>();
    for (const s of ds.subscriptions) subCount.set(s.rid as string, (subCount.get(s.rid as string) ?? 0) + 1);
    for (const room of ds.rooms) {
      const extra = this.extraUsers.get(room._id as string) ?? 0;
      if (room._id === 'GENERAL') room.usersCount = ds.users.baseCount;
      else if (extra >= 0) room.usersCount = extra + (subCount.get(room._id as string) ?? 0);
    }

    this.trash();
  }

  private memberships(channels: Doc[], groups: Doc[], discussions: Doc[], teamRooms: Map<string, Doc[]>): void {
    const ds = this.ds;
    const r = rngFor(ds.seed, S_SUBS);
    const member = new Map<IdentityName, Set<string>>();
    for (const n of IDENTITY_NAMES) member.set(n, new Set(['GENERAL']));

    // teams
    const nt = ds.teams.length;
    ds.teams.forEach((team, k) => {
      const m = ds.teamMembers.get(team._id as string) as Set<string>;
      const join = (n: IdentityName) => m.add(ds.identities[n].userId);
      if (nt < 2 || k < nt - 1) join('admin');
      if ((k === 0 && nt > 1) || (k % 2 === 1 && k < nt - 1) || (nt === 1)) join('user');
      if (k === 0) { join('bot'); join('restricted'); }
    });

    for (const n of IDENTITY_NAMES) {
      const rates = RATES[n];
      const uid = ds.identities[n].userId;
      const set = member.get(n) as Set<string>;
      for (const room of channels) if (!room.teamId && chance(r, rates.c)) set.add(room._id as string);
      for (const room of groups) if (!room.teamId && chance(r, rates.p)) set.add(room._id as string);
      for (const team of ds.teams) {
        if (!ds.teamMembers.get(team._id as string)?.has(uid)) continue;
        for (const room of teamRooms.get(team._id as string) ?? []) {
          if (room.teamMain || chance(r, rates.teamRoom)) set.add(room._id as string);
        }
      }
      for (const d of discussions) if (set.has(d.prid as string) && chance(r, rates.discussion)) set.add(d._id as string);
      for (const room of ds.rooms) {
        if (room.t === 'd' && (room.uids as string[]).includes(uid)) set.add(room._id as string);
        if (servedOpenBy(room, uid)) set.add(room._id as string);
      }
    }
    // guarantees: the admin misses at least one public non-team channel and one team channel of its
    // own teams; the guest is in at least two public channels
    const admin = member.get('admin') as Set<string>;
    const plain = channels.filter((c) => !c.teamId);
    if (plain.length > 1 && plain.every((c) => admin.has(c._id as string))) admin.delete(plain[plain.length - 1]?._id as string);
    const adminTeamRooms = ds.teams.filter((t) => ds.teamMembers.get(t._id as string)?.has(ds.identities.admin.userId))
      .flatMap((t) => (teamRooms.get(t._id as string) ?? []).filter((room) => !room.teamMain));
    if (adminTeamRooms.length > 1 && adminTeamRooms.every((room) => admin.has(room._id as string))) {
      admin.delete(adminTeamRooms[adminTeamRooms.length - 1]?._id as string);
    }
    const guest = member.get('guest') as Set<string>;
    for (const c of plain.slice(0, 2)) guest.add(c._id as string);
    const plainAdminIn = plain.find((c) => admin.has(c._id as string));
    if (plainAdminIn) member.get('user')?.add(plainAdminIn._id as string);

    // subscription documents, in room natural order per caller, then interleaved by ts
    const subs: Doc[] = [];
    for (const n of IDENTITY_NAMES) {
      const set = member.get(n) as Set<string>;
      for (const room of ds.rooms) if (set.has(room._id as string)) subs.push(this.subscription(r, n, room));
    }
    subs.sort((a, b) => ((a.ts as string) < (b.ts as string) ? -1 : (a.ts as string) > (b.ts as string) ? 1 : 0));
    ds.subscriptions.push(...subs);
  }

  private subscription(r: Rng, n: IdentityName, room: Doc): Doc {
    const ds = this.ds;
    const idn = ds.identities[n];
    const uIdx = identityUserIndex(n);
    const roomTs = Date.parse(room.ts as string);
    const ts = Math.min(DATA_END_MS - 1000, roomTs + int(r, 0, 86_400_000 * 20));
    const roomUpdated = Date.parse(room._updatedAt as string);
    const updated = Math.min(DATA_END_MS, Math.max(ts + 1, roomUpdated + int(r, -86_400_000, 86_400_000)));
    const unread = chance(r, 0.6) ? 0 : int(r, 1, 120);
    let name = room.name as string | undefined;
    let fname: string | null | undefined = (room.fname as string | undefined) ?? name;
    if (room.t === 'd') {
      const others = (room.uids as string[]).map((id, k) => [id, (room.usernames as string[])[k] as string] as const).filter(([id]) => id !== idn.userId);
      name = others.map(([, un]) => un).join(', ');
      const members = this.dmMembers.get(room._id as string) ?? [];
      fname = others.map(([id, un]) => {
        const i = members.find((m) => ds.users.ids[m] === id);
        return (i !== undefined ? (ds.users.doc(i).name as string | undefined) : undefined) ?? un;
      }).join(', ');
    } else if (room.t === 'l') {
      const v = room.v as Doc;
      name = v.username as string;
      fname = room.fname as string;
    } else if (room._id === 'GENERAL' || chance(r, 0.1)) fname = null;
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
      u: ds.userRef(uIdx),
      _updatedAt: iso(updated),
      ls: iso(Math.max(ts, updated - int(r, 0, 3_600_000))),
    };
    if (chance(r, 0.5)) s.lr = s.ls;
    const creator = room.u as Doc | undefined;
    if (creator && creator._id === idn.userId) s.roles = ['owner'];
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
    return s;
  }

  private trash(): void {
    const ds = this.ds;
    const r = rngFor(ds.seed, S_TRASH);
    const nRooms = Math.max(3, Math.floor(ds.rooms.length / 20));
    const rooms: TrashEntry[] = [];
    for (let k = 0; k < nRooms; k++) {
      const del = DATA_END_MS - int(r, 0, 60 * 86_400_000);
      rooms.push({ _id: chance(r, 0.5) ? objectId(r, del - 86_400_000 * 30) : meteorId(r), _deletedAt: iso(del) });
    }
    rooms.sort((a, b) => compareCodePoints(a._deletedAt, b._deletedAt));
    ds.roomTrash.push(...rooms);
    const subs: TrashEntry[] = [];
    for (const n of IDENTITY_NAMES) {
      for (let k = 0; k < 2; k++) {
        subs.push({ _id: meteorId(r), _deletedAt: iso(DATA_END_MS - int(r, 0, 60 * 86_400_000)), uid: ds.identities[n].userId });
      }
    }
    subs.sort((a, b) => compareCodePoints(a._deletedAt, b._deletedAt));
    ds.subscriptionTrash.push(...subs);
  }
}
