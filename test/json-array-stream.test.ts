import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamError, streamJsonArray } from '../src/json-array-stream.js';

/** Splits `text` into chunks of `size` bytes, so tokens and UTF-8 characters straddle chunks. */
async function* chunked(text: string, size: number): AsyncGenerator<Buffer> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function readAll(text: string, key: string, size: number, batchSize = 3) {
  const streamed = streamJsonArray<Record<string, unknown>>(chunked(text, size), key, batchSize);
  const items: Record<string, unknown>[] = [];
  const batchSizes: number[] = [];
  for await (const batch of streamed.batches) {
    items.push(...batch);
    batchSizes.push(batch.length);
  }
  return { items, rest: streamed.rest(), batchSizes };
}

const users = [
  { _id: 'a', name: 'Zoë "the quoted" \\ back', tags: ['x', ']', '}'], nested: { deep: [{ k: '{[' }] } },
  { _id: 'b', name: '日本語の名前 😀', emails: [] },
  { _id: 'c', name: null, n: -1.5e3, ok: true },
  { _id: 'd' },
];

for (const size of [1, 2, 3, 7, 64, 100_000]) {
  test(`elements and the rest of the object come out whole with ${size}-byte chunks`, async () => {
    const body = JSON.stringify({ success: true, total: 4, users, count: 4, offset: 0 });
    const { items, rest, batchSizes } = await readAll(body, 'users', size);
    assert.deepEqual(items, users);
    assert.deepEqual(rest, { success: true, total: 4, users: [], count: 4, offset: 0 });
    assert.deepEqual(batchSizes, [3, 1]);
  });
}

test('pretty-printed bodies and keys that look like the records key elsewhere', async () => {
  const body = JSON.stringify({ meta: { users: [1, 2] }, note: 'users', users, total: 4 }, null, 2);
  const { items, rest } = await readAll(body, 'users', 5);
  assert.deepEqual(items, users);
  assert.deepEqual(rest, { meta: { users: [1, 2] }, note: 'users', users: [], total: 4 });
});

test('an empty array', async () => {
  const { items, rest } = await readAll('{"users":[],"total":0,"success":true}', 'users', 4);
  assert.deepEqual(items, []);
  assert.deepEqual(rest, { users: [], total: 0, success: true });
});

test('bodies that are not the expected object are JsonStreamErrors', async () => {
  await assert.rejects(readAll('<!DOCTYPE html><html></html>', 'users', 8), JsonStreamError);
  await assert.rejects(readAll('{"users":[{"_id":"a"},{"_id":', 'users', 8), { name: 'Error', message: /ended before|invalid JSON/ });
  await assert.rejects(readAll('{"success":false,"error":"nope"}', 'users', 8), { message: 'the body has no "users" array' });
  await assert.rejects(readAll('{"users":[{"_id":"a"} {"_id":"b"}]}', 'users', 8), JsonStreamError);
});
