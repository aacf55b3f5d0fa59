/**
 * Sorting, paging and text matching for the workspace and omnichannel list routes (MongoDB
 * semantics: stable ties in natural order, case-insensitive escaped regexes).
 */
import type { ApiResult, Body, Page } from '../routes/common.js';
import { makeComparator, type Doc, type SortSpec } from '../mongo.js';

export function sortStable(docs: readonly Doc[], spec: SortSpec | undefined): Doc[] {
  if (!spec || spec.length === 0) return docs.slice();
  const cmp = makeComparator(spec);
  return docs.map((d, i) => [d, i] as const).sort((a, b) => cmp(a[0], b[0]) || a[1] - b[1]).map(([d]) => d);
}

export function pageSlice<T>(all: readonly T[], page: Page): T[] {
  return page.count === 0 ? all.slice(page.offset) : all.slice(page.offset, page.offset + page.count);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `new RegExp(escapeRegExp(text), 'i')` as a predicate on a possibly missing string. */
export function containsCi(text: string): (v: unknown) => boolean {
  const re = new RegExp(escapeRegExp(text), 'i');
  return (v) => typeof v === 'string' && re.test(v);
}

/** A paginated envelope `{<key>, count, offset, total, success}`. */
export function envelope(key: string, records: Doc[], page: Page, total: number): ApiResult {
  const body: Body = { [key]: records, count: records.length, offset: page.offset, total, success: true };
  return { status: 200, body };
}
