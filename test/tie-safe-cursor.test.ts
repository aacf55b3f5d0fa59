import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TieSafeCursor, type CursorRow } from '../src/messages/tie-safe-cursor.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * chat.syncMessages' cursor mode as the server runs it: `_updatedAt > next` ascending, `count + 1`
 * rows fetched, `cursor.next` null when no more than `count` came back.
 */
function serverPage(rows: readonly CursorRow[], next: number, count: number): { page: CursorRow[]; more: boolean } {
  const matching = rows.filter((r) => Date.parse(r._updatedAt) > next).sort((a, b) => Date.parse(a._updatedAt) - Date.parse(b._updatedAt));
  const fetched = matching.slice(0, count + 1);
  return { page: fetched.slice(0, count), more: fetched.length > count };
}

function walk(rows: readonly CursorRow[], count: number, afterMs = 0): { ids: string[]; requests: number } {
  const cursor = new TieSafeCursor(afterMs, count);
  const ids: string[] = [];
  let requests = 0;
  while (!cursor.done) {
    assert.ok(++requests < 10_000, 'the walk terminates');
    const { page, more } = serverPage(rows, cursor.request.next, cursor.request.count);
    ids.push(...cursor.accept(page, more).map((r) => r._id));
  }
  return { ids, requests };
}

/** Following cursor.next as the server hands it out: what the tie hazard loses. */
function naiveWalk(rows: readonly CursorRow[], count: number): string[] {
  const ids: string[] = [];
  let next = 0;
  for (;;) {
    const { page, more } = serverPage(rows, next, count);
    ids.push(...page.map((r) => r._id));
    if (!more) return ids;
    next = Date.parse(page[page.length - 1]!._updatedAt);
  }
}

const tied = (n: number, ms: number, prefix: string): CursorRow[] => Array.from({ length: n }, (_, i) => ({ _id: `${prefix}${i}`, _updatedAt: iso(ms) }));

test('a block of one millisecond straddling a page boundary: the naive walk loses rows, the tie-safe one does not', () => {
  const rows = [...tied(3, 1000, 'a'), ...tied(5, 2000, 'b'), ...tied(2, 3000, 'c')];
  assert.ok(naiveWalk(rows, 4).length < rows.length, 'the hazard is real in this model');
  assert.deepEqual(walk(rows, 4).ids.sort(), rows.map((r) => r._id).sort());
});

test('a whole page inside one millisecond doubles the count until the page gets past it', () => {
  const rows = [...tied(1, 500, 'x'), ...tied(50, 1000, 'big'), ...tied(1, 1500, 'y')];
  const { ids, requests } = walk(rows, 4);
  assert.deepEqual(ids.sort(), rows.map((r) => r._id).sort());
  assert.ok(requests <= 8, `${requests} requests`);
});

test('resuming from a saved position emits nothing twice', () => {
  const rows = [...tied(3, 1000, 'a'), ...tied(3, 2000, 'b'), ...tied(3, 3000, 'c')];
  const first = new TieSafeCursor(0, 4);
  const { page, more } = serverPage(rows, 0, 4);
  const emitted = first.accept(page, more).map((r) => r._id);
  const saved = first.position;
  const resumed = new TieSafeCursor(saved.next, 4, saved.atEdge);
  while (!resumed.done) {
    const p = serverPage(rows, resumed.request.next, resumed.request.count);
    emitted.push(...resumed.accept(p.page, p.more).map((r) => r._id));
  }
  assert.deepEqual(emitted.sort(), rows.map((r) => r._id).sort());
});

test('property: any history, any page size, start point: every row after it exactly once', () => {
  const history = fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 300 });
  fc.assert(
    fc.property(history, fc.integer({ min: 1, max: 25 }), fc.integer({ min: 0, max: 20 }), (stamps, count, after) => {
      const rows = stamps.map((ms, i) => ({ _id: `m${i}`, _updatedAt: iso(ms) }));
      const { ids } = walk(rows, count, after);
      assert.equal(new Set(ids).size, ids.length, 'no id twice');
      assert.deepEqual(ids.sort(), rows.filter((r) => Date.parse(r._updatedAt) > after).map((r) => r._id).sort());
    }),
    { numRuns: 400 },
  );
});
