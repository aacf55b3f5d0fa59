/**
 * The per-message plan: what rngFor(seed, S_PLAN, index) decides about one message, drawn in a
 * fixed order so the generator (which needs the delays to compute `_updatedAt`) and the renderer
 * (which needs everything) agree. Cheap: a dozen draws, no strings.
 */
import { chance, int, rngFor, type Rng } from '../prng.js';
import { DATA_END_MS } from '../data/common.js';
import { K, type MessageStore } from './store.js';

export const S_PLAN = 31;
const DAY = 86_400_000;

/** No generated stamp is later than this (deletions and mutations come after). */
export const CAP_MS = DATA_END_MS - 120_000;
export const cap = (ms: number): number => Math.min(ms, CAP_MS);

export interface Plan {
  rng: Rng;
  kindRoll: number;
  author: number;
  baseDelay: number;
  editDelay: number;
  reactDelay: number;
  pinDelay: number;
  /** Indexes into the author pool of the reacting users (empty = no reactions). */
  reactors: number[];
  /** Indexes into the author pool of starring users. */
  starrers: number[];
  /** Index into the author pool of a mentioned user; -2 = @all, -3 = @here; -1 none. */
  mention: number;
  /** Index into store.publicRooms, or -1. */
  channel: number;
  tshow: boolean;
}

export function planOf(store: MessageStore, i: number): Plan {
  const rng = rngFor(store.ds.seed, S_PLAN, i);
  const slot = store.slots[store.room[i] as number];
  const pool = slot?.authors ?? [];
  const kindRoll = rng();
  const a = rng();
  const author = pool.length === 0 ? 0 : (pool[Math.floor(pool.length * a * a)] as number);
  const baseDelay = int(rng, 0, 40);
  const editDelay = chance(rng, 0.08) ? int(rng, 5_000, 20 * DAY) : 0;
  const reactDelay = chance(rng, 0.12) ? int(rng, 1_000, 2 * DAY) : 0;
  const pinDelay = chance(rng, 0.02) ? int(rng, 60_000, 5 * DAY) : 0;
  const reactors: number[] = [];
  if (reactDelay > 0 && pool.length > 0) for (let k = int(rng, 1, 4); k > 0; k--) reactors.push(int(rng, 0, pool.length - 1));
  const starrers: number[] = [];
  if (chance(rng, 0.06) && pool.length > 0) for (let k = int(rng, 1, 3); k > 0; k--) starrers.push(int(rng, 0, pool.length - 1));
  const m = rng();
  const mention = pool.length === 0 ? -1 : m < 0.08 ? int(rng, 0, pool.length - 1) : m < 0.09 ? -2 : m < 0.095 ? -3 : -1;
  const channel = chance(rng, 0.03) && store.publicRooms.length > 0 ? int(rng, 0, store.publicRooms.length - 1) : -1;
  const tshow = chance(rng, 0.1);
  return { rng, kindRoll, author, baseDelay, editDelay, reactDelay, pinDelay, reactors, starrers, mention, channel, tshow };
}

/** The kind a plan's roll gives in a room of type `t` (position-forced kinds are set by the generator). */
export function kindFor(roll: number, t: string, encrypted: boolean): number {
  if (t === 'l') return roll < 0.5 ? K.VISITOR : roll < 0.56 ? K.LIVECHAT_SYS : K.TEXT;
  if (encrypted) return roll < 0.8 ? K.E2E : roll < 0.86 ? K.SYSTEM : K.TEXT;
  if (roll < 0.06) return K.SYSTEM;
  if (roll < 0.10) return K.FILE;
  if (roll < 0.14) return K.URL;
  if (roll < 0.16) return K.QUOTE;
  if (roll < 0.18) return K.INTEGRATION;
  if (roll < 0.185) return K.RM;
  if (roll < 0.195) return K.HIDDEN_COPY;
  if (roll < 0.197) return K.LONG;
  if (roll < 0.26) return K.NASTY;
  return K.TEXT;
}

/** Kinds that may start a thread or be a reply. */
export function threadable(kind: number): boolean {
  return kind === K.TEXT || kind === K.NASTY || kind === K.FILE || kind === K.URL || kind === K.QUOTE || kind === K.NASTY_FIXED;
}

/** The latest of the stamps a plan implies for a message created at `ts`. */
export function plannedUpdate(p: Plan, kind: number, ts: number): number {
  if (!decorated(kind)) return cap(ts + p.baseDelay);
  if (kind === K.RM) return cap(softDeletedAt(p, ts) + 1);
  return cap(ts + Math.max(p.baseDelay, p.editDelay, p.reactDelay, p.pinDelay));
}

/** Whether edits, reactions, pins and stars apply to a kind. */
export function decorated(kind: number): boolean {
  return !(kind === K.SYSTEM || kind === K.HIDDEN_COPY || kind === K.LIVECHAT_SYS || kind === K.LIVECHAT_START || kind === K.DISCUSSION);
}

/** When a generated `t:'rm'` message was soft-deleted (its editedAt). */
export function softDeletedAt(p: Plan, ts: number): number {
  return cap(ts + Math.max(1_000, p.baseDelay, p.editDelay, p.reactDelay, p.pinDelay));
}
