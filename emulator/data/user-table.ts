/**
 * The users collection, built to scale to 1,000,000 users: only the id, username and a flags byte
 * are kept per user; the full document is regenerated from (seed, index) on demand, and two index
 * orders (by `_id` and by `username`) are sorted once at startup and maintained incrementally on
 * mutation.
 */
import { compareCodePoints, makeComparator, sortSpecKey, type Doc, type SortSpec } from '../mongo.js';
import { rngFor, type Rng } from '../prng.js';
import { iso, S_INSERTED_USER } from './common.js';
import { docFlags, F_EMAIL, F_NAME, F_USERNAME } from './user-flags.js';
import { generateUser, generateUserWith } from './users.js';
import { longName } from './nasty-text.js';

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

  constructor(
    private readonly seed: number,
    count: number,
    private readonly customRoleIds: readonly string[],
    /** DatasetSizes.userNameChars. */
    private readonly nameChars = 0,
  ) {
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
    const doc = generateUser(this.seed, i, this.customRoleIds, false);
    if (this.nameChars > 0 && typeof doc.name === 'string') doc.name = longName(doc.name, this.nameChars, i);
    return doc;
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
      this.ids.push(d._id as string);
      this.usernames.push(typeof d.username === 'string' ? d.username : undefined);
      this.flags.push(docFlags(d));
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
    this.flags[i] = docFlags(d);
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
