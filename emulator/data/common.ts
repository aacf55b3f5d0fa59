/**
 * What every generator of the dataset shares: the time span all generated timestamps lie in, the
 * ISO formatting, and the labels of the PRNG streams.
 *
 * Each collection draws from its own PRNG stream (`rngFor(seed, label, ...)`), so adding a new
 * collection never changes the records of the existing ones. A new collection takes a label that
 * is not listed here (free: 4, 6, 7, 11 to 20, 23 to 40, and 45 and up) and adds it to this list.
 */

/** All generated timestamps lie in the three years before this instant. */
export const DATA_END_MS = Date.UTC(2025, 5, 30, 12, 0, 0, 0);
export const SPAN_MS = 3 * 365 * 86_400_000;

export const iso = (ms: number): string => new Date(ms).toISOString();

// PRNG stream labels
export const S_USER = 1;
export const S_ROOMS = 2;
export const S_SUBS = 3;
export const S_ROLES = 5;
export const S_TRASH = 8;
export const S_MUTATE = 9;
export const S_INSERTED_USER = 10;
// nasty.ts: fields and texts added on top of the generated records
export const S_NASTY_ROOMS = 41;
export const S_NASTY_SUBS = 42;
export const S_NASTY_USERS = 43;
export const S_NASTY_ROLES = 44;

export const S_OMNICHANNEL = 21;
export const S_OMNICHANNEL_MUTATE = 22;
