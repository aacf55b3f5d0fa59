/**
 * The little of MongoDB's semantics the emulator needs: BSON-like value ordering for `sort`
 * (missing/null < numbers < strings < objects < arrays-by-element < booleans; strings by code point,
 * i.e. UTF-8 binary order), parsing of the `sort` query parameter as parseJsonQuery does, and
 * order-preserving projections.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
export type Doc = Record<string, Json | undefined>;
export type SortSpec = Array<[key: string, dir: 1 | -1]>;

/**
 * Compares two strings by Unicode code point (= UTF-8 byte order = MongoDB's default binary
 * collation). JS `<` compares UTF-16 code units, which puts U+E000..U+FFFF after astral characters;
 * remapping the code units fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function typeRank(v: Json | undefined): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number': return 2;
    case 'string': return 3;
    case 'boolean': return 8;
    default: return Array.isArray(v) ? 5 : 4;
  }
}

/** BSON-style comparison of two scalar-or-object values (arrays are reduced by the caller). */
export function compareValues(a: Json | undefined, b: Json | undefined): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1: return 0;
    case 2: return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3: return compareCodePoints(a as string, b as string);
    case 8: return a === b ? 0 : a ? 1 : -1;
    case 4: {
      const ea = Object.entries(a as Record<string, Json>);
      const eb = Object.entries(b as Record<string, Json>);
      for (let i = 0; i < Math.min(ea.length, eb.length); i++) {
        const [ka, va] = ea[i] as [string, Json];
        const [kb, vb] = eb[i] as [string, Json];
        const c = compareValues(va, vb) || compareCodePoints(ka, kb);
        if (c) return c;
      }
      return ea.length - eb.length;
    }
    default: {
      const la = a as Json[];
      const lb = b as Json[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length;
    }
  }
}

/** Reads a possibly dotted path. */
export function getPath(doc: Doc, path: string): Json | undefined {
  if (!path.includes('.')) return doc[path];
  let cur: Json | undefined = doc as Json;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, Json>)[part];
  }
  return cur;
}

/** The sort key MongoDB uses for a field: arrays sort by their min (ascending) or max (descending). */
export function sortKey(v: Json | undefined, dir: 1 | -1): Json | undefined {
  if (!Array.isArray(v)) return v;
  if (v.length === 0) return undefined;
  let best = v[0];
  for (let i = 1; i < v.length; i++) {
    const c = compareValues(v[i], best);
    if (dir === 1 ? c < 0 : c > 0) best = v[i];
  }
  return best;
}

export function makeComparator(spec: SortSpec): (a: Doc, b: Doc) => number {
  return (a, b) => {
    for (const [key, dir] of spec) {
      const c = compareValues(sortKey(getPath(a, key), dir), sortKey(getPath(b, key), dir));
      if (c) return dir === 1 ? c : -c;
    }
    return 0;
  };
}

export function sortSpecKey(spec: SortSpec): string {
  return spec.map(([k, d]) => `${k}:${d}`).join(',');
}

export class InvalidSortError extends Error {
  constructor(readonly raw: string) {
    super(`Invalid sort parameter provided: "${raw}"`);
  }
}

/**
 * Parses the `sort` query parameter like parseJsonQuery: a JSON object whose values are 1 or -1.
 * Returns undefined when the parameter is absent.
 */
export function parseSort(raw: string | null | undefined): SortSpec | undefined {
  if (raw === null || raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new InvalidSortError(raw);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidSortError(raw);
  const spec: SortSpec = [];
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (v !== 1 && v !== -1) throw new InvalidSortError(raw);
    spec.push([k, v]);
  }
  return spec;
}

/** Inclusive projection preserving the document's own key order (as MongoDB does). */
export function pickFields(doc: Doc, fields: ReadonlySet<string>): Doc {
  const out: Doc = {};
  for (const k in doc) {
    const v = doc[k];
    if (v !== undefined && fields.has(k)) out[k] = v;
  }
  return out;
}

/** Exclusive projection preserving key order. */
export function omitFields(doc: Doc, fields: ReadonlySet<string>): Doc {
  const out: Doc = {};
  for (const k in doc) {
    const v = doc[k];
    if (v !== undefined && !fields.has(k)) out[k] = v;
  }
  return out;
}

/** MongoDB's $toLower: only ASCII A-Z are lowered; null/missing becomes "". */
export function mongoToLower(v: Json | undefined): string {
  if (typeof v !== 'string') return v === null || v === undefined ? '' : String(v);
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    out += c >= 65 && c <= 90 ? String.fromCharCode(c + 32) : v[i];
  }
  return out;
}

/** Deep clone of JSON data (records handed to tests must not alias internal state). */
export function cloneJson<T extends Json | Doc>(v: T): T {
  return structuredClone(v);
}
