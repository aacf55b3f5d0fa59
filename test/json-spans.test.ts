import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arraySpans } from '../src/json-spans.js';

function elements(body: string, key: string): unknown[] | undefined {
  const bytes = Buffer.from(body, 'utf8');
  return arraySpans(bytes, key)?.map(([start, end]) => JSON.parse(bytes.subarray(start, end).toString('utf8')));
}

const users = [
  { _id: 'a', name: 'Zoë "the quoted" \\ back\\\\', tags: ['x', ']', '}', '"'], nested: { users: [{ k: '{[' }] } },
  { _id: 'b', name: '日本語の名前 😀', emails: [] },
  { _id: 'c', name: null, n: -1.5e3, ok: true },
  { _id: 'd' },
];

test('finds every element of the array, whatever it holds', () => {
  assert.deepEqual(elements(JSON.stringify({ success: true, total: 4, users, count: 4 }), 'users'), users);
  assert.deepEqual(elements(JSON.stringify({ users, total: 4 }, null, 2), 'users'), users);
});

test('a key of the same name deeper down or as a value is not the array', () => {
  const body = JSON.stringify({ meta: { users: [1, 2] }, note: 'users', users: [{ _id: 'x' }] });
  assert.deepEqual(elements(body, 'users'), [{ _id: 'x' }]);
});

test('primitive elements and empty arrays', () => {
  assert.deepEqual(elements('{"users":[1, "two" ,null],"x":1}', 'users'), [1, 'two', null]);
  assert.deepEqual(elements('{"users":[],"total":0}', 'users'), []);
});

test('bodies without the array, or not objects, give undefined', () => {
  assert.equal(elements('{"success":false,"error":"nope"}', 'users'), undefined);
  assert.equal(elements('<!DOCTYPE html>', 'users'), undefined);
  assert.equal(elements('[{"users":[]}]', 'users'), undefined);
  assert.equal(elements('{"users":[{"_id":"a"', 'users'), undefined);
  assert.equal(elements('{"users":[{"_id":"a}]}', 'users'), undefined);
});

test('spans are byte offsets into UTF-8, so copying them keeps multi-byte text', () => {
  const body = Buffer.from(JSON.stringify({ users: [{ _id: 'é', n: '😀' }, { _id: 'ü' }] }), 'utf8');
  const spans = arraySpans(body, 'users')!;
  assert.equal(Buffer.concat(spans.map(([s, e]) => body.subarray(s, e))).toString('utf8'), '{"_id":"é","n":"😀"}{"_id":"ü"}');
});

test('a path of keys finds an array inside nested objects (chat.syncMessages: result.updated)', () => {
  const updated = [{ _id: 'm1', msg: 'a "quoted" ] }' }, { _id: 'm2', reactions: { ':+1:': { usernames: ['x'] } } }];
  const body = Buffer.from(JSON.stringify({ result: { cursor: { next: '1', updated: [9] }, deleted: [{ _id: 'z' }], updated }, success: true }));
  const spans = arraySpans(body, ['result', 'updated'])!;
  assert.deepEqual(spans.map(([s, e]) => JSON.parse(body.subarray(s, e).toString())), updated);
  assert.equal(arraySpans(Buffer.from('{"updated":[1],"result":{"deleted":[]}}'), ['result', 'updated']), undefined);
  assert.equal(arraySpans(Buffer.from('{"result":[{"updated":[1]}]}'), ['result', 'updated']), undefined);
});

test('elements that are arrays, and brackets inside their strings, are skipped whole', () => {
  const body = '{"users":[[1,[2,"]"]],{"a":["}",{"b":"[\\\\"}]} , [] ,"x"],"total":3}';
  assert.deepEqual(elements(body, 'users'), [[1, [2, ']']], { a: ['}', { b: '[\\' }] }, [], 'x']);
  assert.equal(elements('{"users":[[1,2}', 'users'), undefined);
});
