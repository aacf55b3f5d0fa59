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

async function collect(fetchPage: FetchPage, pageSize: number, concurrency: number, anchorEveryPage = true): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of offsetPages(fetchPage, { pageSize, concurrency, anchorEveryPage: () => anchorEveryPage })) {
    ids.push(...page.records.map((r) => r._id));
  }
  return ids;
}

for (const concurrency of [1, 4]) {
  test(`reads every record once in order (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(1050);
    let duplicates = 0;
    const ids: string[] = [];
    for await (const batch of offsetPages(route.fetchPage, { pageSize: 100, concurrency, onDuplicates: (n) => (duplicates += n) })) {
      ids.push(...batch.records.map((r) => r._id));
    }
    assert.equal(duplicates, 0, 'the re-read anchor records are not reported as duplicates');
    assert.deepEqual(ids, route.rows.map((r) => r._id));
    assert.equal(route.calls.length, 11, '1 + ceil(950/99) pages (each re-reads one record), no extra empty page');
  });

  test(`without anchoring (a rate-limited route) pages do not overlap (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(1050);
    const ids = await collect(route.fetchPage, 100, concurrency, false);
    assert.deepEqual(ids, route.rows.map((r) => r._id));
    assert.equal(route.calls.length, 11, 'ceil(1050/100) pages');
  });
}

test('each page re-reads the last record of the one before, and no trailing empty page is fetched', async () => {
  const route = fakeRoute(300);
  assert.equal((await collect(route.fetchPage, 100, 1)).length, 300);
  assert.deepEqual(route.calls.map((c) => c.offset), [0, 99, 198, 297]);
  const unanchored = fakeRoute(300);
  assert.equal((await collect(unanchored.fetchPage, 100, 1, false)).length, 300);
  assert.deepEqual(unanchored.calls.map((c) => c.offset), [0, 100, 200]);
});

test('an empty route costs one request', async () => {
  const route = fakeRoute(0);
  assert.deepEqual(await collect(route.fetchPage, 100, 4), []);
  assert.equal(route.calls.length, 1);
});

test('a server that clamps count below page_size is paged by what it returns', async () => {
  const route = fakeRoute(230, 50);
  const ids = await collect(route.fetchPage, 100, 3, false);
  assert.equal(ids.length, 230);
  assert.deepEqual(route.calls.map((c) => c.offset), [0, 50, 100, 150, 200]);
});

const ORIGINAL = Array.from({ length: 500 }, (_, i) => `id${String(i).padStart(7, '0')}`);

/** Every row that existed for the whole read was emitted, and nothing twice. */
function assertExact(ids: string[], survivors: string[]): void {
  assert.equal(new Set(ids).size, ids.length, 'no duplicates');
  for (const id of survivors) assert.ok(ids.includes(id), `${id} emitted`);
}

for (const concurrency of [1, 4]) {
  for (const anchorEveryPage of [true, false]) {
    const mode = `concurrency ${concurrency}, ${anchorEveryPage ? 'anchored' : 'anchored after a change of total'}`;

    test(`rows inserted before the read position are not emitted twice (${mode})`, async () => {
      const route = fakeRoute(500);
      route.mutateBefore((call) => {
        if (call === 3) route.insert('id0000000a'); // sorts near the start, shifting everything right
      });
      assertExact(await collect(route.fetchPage, 100, concurrency, anchorEveryPage), ORIGINAL);
    });

    test(`rows deleted before the read position do not make later rows vanish (${mode})`, async () => {
      const route = fakeRoute(500);
      route.mutateBefore((call) => {
        if (call === 3) {
          route.remove(20);
          route.remove(10);
        }
      });
      assertExact(await collect(route.fetchPage, 100, concurrency, anchorEveryPage), route.rows.map((r) => r._id));
    });

    test(`deletions before the position with as many inserts after it, total unchanged (${mode})`, async () => {
      const route = fakeRoute(500);
      route.mutateBefore((call) => {
        if (call === 3 || call === 5) {
          route.remove(5);
          route.insert(`id9999999${call}`); // sorts last: total stays the same
        }
      });
      const ids = await collect(route.fetchPage, 100, concurrency, anchorEveryPage);
      const survivors = route.rows.map((r) => r._id).filter((id) => ORIGINAL.includes(id));
      if (anchorEveryPage) assertExact(ids, survivors);
      else assert.equal(new Set(ids).size, ids.length, 'no duplicates (rows may be missed: total never moved, see README)');
    });

    test(`inserts and deletions mixed on every page (${mode})`, async () => {
      const route = fakeRoute(500);
      let n = 0;
      route.mutateBefore((call) => {
        if (call < 2) return;
        route.remove(3 + (call % 7));
        route.insert(`id000000${String(n++).padStart(2, '0')}z`);
        route.insert(`id9999${String(n++).padStart(3, '0')}`);
      });
      const ids = await collect(route.fetchPage, 100, concurrency, anchorEveryPage);
      assertExact(ids, route.rows.map((r) => r._id).filter((id) => ORIGINAL.includes(id)));
    });
  }
}

for (const concurrency of [1, 4]) {
  test(`hundreds of rows inserted before the position: the read catches up without a false loop alarm (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(1000);
    route.mutateBefore((call) => {
      if (call === 3) for (let i = 0; i < 400; i++) route.insert(`id0000000${String(i).padStart(3, '0')}`);
    });
    assertExact(await collect(route.fetchPage, 100, concurrency), Array.from({ length: 1000 }, (_, i) => `id${String(i).padStart(7, '0')}`));
  });

  test(`hundreds of rows deleted before the position: the step back overshoots and catches up (concurrency ${concurrency})`, async () => {
    const route = fakeRoute(3000);
    route.mutateBefore((call) => {
      if (call === 11) for (let i = 0; i < 410; i++) route.remove(100);
    });
    assertExact(await collect(route.fetchPage, 100, concurrency), route.rows.map((r) => r._id));
  });
}

test('a server that ignores offset is stopped as a pagination loop', async () => {
  const page = Array.from({ length: 100 }, (_, i) => ({ _id: `id${i}` }));
  const fetchPage: FetchPage = async () => ({ records: page, total: 1000 });
  await assert.rejects(collect(fetchPage, 100, 1), /loop detected in pagination/);
});

test('a failing page fetch rejects the read without unhandled rejections from abandoned pages', async () => {
  const route = fakeRoute(1000);
  let calls = 0;
  const failing: FetchPage = async (offset, count) => {
    if (++calls === 4) throw new Error('boom');
    return route.fetchPage(offset, count);
  };
  await assert.rejects(collect(failing, 100, 4), /boom/);
});

test('the encoded bytes of a page follow the records that are emitted from it', async () => {
  const route = fakeRoute(250);
  const withBytes: FetchPage = async (offset, count) => {
    const page = await route.fetchPage(offset, count);
    const bytes = Buffer.from(page.records.map((r) => JSON.stringify(r)).join(''));
    let at = 0;
    const spans = page.records.map((r): [number, number] => {
      const start = at;
      at += Buffer.byteLength(JSON.stringify(r));
      return [start, at];
    });
    return { ...page, encoded: { bytes, spans } };
  };
  let emitted = 0;
  for await (const batch of offsetPages(withBytes, { pageSize: 100, concurrency: 1 })) {
    assert.ok(batch.encoded, 'sorted pages keep their bytes');
    assert.equal(batch.encoded.spans.length, batch.records.length);
    batch.records.forEach((record, i) => {
      const [start, end] = batch.encoded!.spans[i]!;
      assert.deepEqual(JSON.parse(batch.encoded!.bytes.subarray(start, end).toString()), record);
    });
    emitted += batch.records.length;
  }
  assert.equal(emitted, 250, 'the re-read anchor record is dropped together with its bytes');
});
