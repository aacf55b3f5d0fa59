/**
 * Deterministic randomness for the emulator: a seeded PRNG (mulberry32), per-index seeds, and the
 * id shapes Rocket.Chat uses (17-character Meteor ids, 24-hex ObjectIds). Same seed, same values.
 */

export type Rng = () => number;

/** mulberry32: tiny, fast 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a seed with a stream label and an index into one 32-bit seed (murmur3 finaliser). */
export function mixSeed(seed: number, stream: number, index = 0): number {
  let h = (seed ^ Math.imul(stream + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = (h ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** An Rng for item `index` of a named stream (so each record can be regenerated on its own). */
export function rngFor(seed: number, stream: number, index = 0): Rng {
  return mulberry32(mixSeed(seed, stream, index));
}

/** Meteor's Random.id() alphabet ("unmistakable characters"). */
const METEOR_CHARS = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

export function meteorId(rng: Rng, length = 17): string {
  let s = '';
  for (let i = 0; i < length; i++) s += METEOR_CHARS[Math.floor(rng() * METEOR_CHARS.length)];
  return s;
}

/** A 24-hex ObjectId string whose leading 4 bytes encode `epochMs` like a real ObjectId. */
export function objectId(rng: Rng, epochMs: number): string {
  let s = Math.floor(epochMs / 1000).toString(16).padStart(8, '0').slice(-8);
  for (let i = 0; i < 16; i++) s += HEX[Math.floor(rng() * 16)];
  return s;
}

export function int(rng: Rng, min: number, maxInclusive: number): number {
  return min + Math.floor(rng() * (maxInclusive - min + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const v = items[Math.floor(rng() * items.length)];
  if (v === undefined) throw new Error('pick from an empty list');
  return v;
}

export function chance(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Fisher–Yates shuffle of a copy. */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

/** Deterministic base64url token of 43 characters (the length of Rocket.Chat login tokens). */
export function tokenFrom(rng: Rng): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let s = '';
  for (let i = 0; i < 43; i++) s += chars[Math.floor(rng() * 64)];
  return s;
}
