import { test } from 'node:test';
import assert from 'node:assert/strict';
import { offsetPages, type ApiRecord, type FetchPage } from '../src/paginate.js';

/** An in-memory route sorted by _id that serves pages like Rocket.Chat (clamped count, exact total). */
function fakeRoute(size: number, maxCount = 100) {
  let rows: ApiRecord[] = Array.from({ length: size }, (_, i) => ({ _id: `id${String(i).padStart(7, '0')}` }));
  const calls: Array<{ offset: number; count: number }> = [];
  let beforeEach: ((n: number) => void) | undefined;
  const fetchPage: FetchPage = async (offset, count) => {
    calls.push({ offset, count });
    beforeEach?.(calls.length);
    await new Promise((r) => setImmediate(r));
    const n = Math.min(count, maxCount);
    return { records: rows.slice(offset, offset + n), total: rows.length };
  };
  return {
    fetchPage,
    calls,
    get rows() { return rows; },
    mutateBefore(fn: (call: number) => void) { beforeEach = fn; },
    insert(id: string) { rows = [...rows, { _id: id }].sort((a, b) => (a._id < b._id ? -1 : 1)); },
    remove(index: number) { rows = rows.filter((_, i) => i !== index); },
  };
}

async function collect(fetchPage: FetchPage, pageSize: number, concurrency: number): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of offsetPages(fetchPage, { pageSize, concurrency })) ids.push(...page.map((r) => r._id));
  return ids;
}

for (const concurrency of [1, 4]) {
  test(`reads every record once in order (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(1050);
    const ids = await collect(route.fetchPage, 100, concurrency);
    assert.deepEqual(ids, route.rows.map((r) => r._id));
    assert.equal(route.calls.length, 11, 'ceil(1050/100) pages, no extra empty page');
  });
}

test('an exact multiple of the page size needs no trailing empty page', async () => {
  const route = fakeRoute(300);
  assert.equal((await collect(route.fetchPage, 100, 1)).length, 300);
  assert.deepEqual(route.calls.map((c) => c.offset), [0, 100, 200]);
});

test('an empty route costs one request', async () => {
  const route = fakeRoute(0);
  assert.deepEqual(await collect(route.fetchPage, 100, 4), []);
  assert.equal(route.calls.length, 1);
});

test('a server that clamps count below page_size is paged by what it returns', async () => {
  const route = fakeRoute(230, 50);
  const ids = await collect(route.fetchPage, 100, 3);
  assert.equal(ids.length, 230);
  assert.deepEqual(route.calls.map((c) => c.offset), [0, 50, 100, 150, 200]);
});

for (const concurrency of [1, 4]) {
  test(`rows inserted before the read position are not emitted twice (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(500);
    route.mutateBefore((call) => {
      if (call === 3) route.insert('id0000000a'); // sorts near the start, shifting everything right
    });
    const ids = await collect(route.fetchPage, 100, concurrency);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    const original = Array.from({ length: 500 }, (_, i) => `id${String(i).padStart(7, '0')}`);
    for (const id of original) assert.ok(ids.includes(id), `${id} emitted`);
  });

  test(`rows deleted before the read position do not make later rows vanish (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(500);
    const deletedIds: string[] = [];
    route.mutateBefore((call) => {
      if (call === 3) {
        deletedIds.push(route.rows[10]!._id, route.rows[20]!._id);
        route.remove(20);
        route.remove(10);
      }
    });
    const ids = await collect(route.fetchPage, 100, concurrency);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    const survivors = route.rows.map((r) => r._id);
    for (const id of survivors) assert.ok(ids.includes(id), `${id} emitted`);
    assert.equal(ids.length, survivors.length + deletedIds.filter((id) => ids.includes(id)).length);
  });
}

test('a server that ignores offset is stopped as a pagination loop', async () => {
  const page = Array.from({ length: 100 }, (_, i) => ({ _id: `id${i}` }));
  const fetchPage: FetchPage = async () => ({ records: page, total: 1000 });
  await assert.rejects(collect(fetchPage, 100, 1), /loop detected in pagination/);
});

test('a failing page fetch rejects the read without unhandled rejections from abandoned pages', async () => {
  const route = fakeRoute(1000);
  const failing: FetchPage = async (offset, count) => {
    if (offset === 300) throw new Error('boom');
    return route.fetchPage(offset, count);
  };
  await assert.rejects(collect(failing, 100, 4), /boom/);
});
