/**
 * Message ids that encode their store index, so an id can be resolved without a million-entry map:
 * twelve random Meteor characters followed by five that spell `index XOR mask` in base 55. Hidden
 * edit-history copies get 24-hex ObjectId strings instead (seconds, ten random hex digits, seven hex
 * digits of the masked index), as Rocket.Chat gives them.
 */
import { meteorId, mixSeed, objectId, rngFor } from '../prng.js';

const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz';
const BASE = ALPHABET.length; // 55
const DIGITS = 5; // 55^5 > 2^28
const MASK_BITS = 0x0fffffff;
const S_ID = 21;

function maskOf(seed: number): number {
  return mixSeed(seed, S_ID, 0) & MASK_BITS;
}

export function messageId(seed: number, index: number): string {
  let v = (index ^ maskOf(seed)) >>> 0;
  let tail = '';
  for (let k = 0; k < DIGITS; k++) {
    tail = ALPHABET[v % BASE] + tail;
    v = Math.floor(v / BASE);
  }
  return meteorId(rngFor(seed, S_ID, index + 1), 12) + tail;
}

export function hiddenCopyId(seed: number, index: number, epochMs: number): string {
  const head = objectId(rngFor(seed, S_ID, index + 1), epochMs).slice(0, 17);
  return head + ((index ^ maskOf(seed)) >>> 0).toString(16).padStart(7, '0');
}

/** The store index an id was made for, or -1 (the caller still compares the full id). */
export function indexOfId(seed: number, id: string): number {
  if (id.length === 24 && /^[0-9a-f]{24}$/.test(id)) return (parseInt(id.slice(17), 16) ^ maskOf(seed)) >>> 0;
  if (id.length !== 17) return -1;
  let v = 0;
  for (let k = 12; k < 17; k++) {
    const d = ALPHABET.indexOf(id[k] as string);
    if (d < 0) return -1;
    v = v * BASE + d;
  }
  if (v > MASK_BITS) return -1;
  return (v ^ maskOf(seed)) >>> 0;
}
