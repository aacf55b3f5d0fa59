import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeJsonText, jsonTextFields } from '../src/json-text.js';
import { streamSchema } from '../src/schemas.js';

describe('JSON text fields (src/json-text.ts)', () => {
  test('jsonTextFields lists the top-level properties with contentMediaType application/json', () => {
    const schema = {
      type: 'object',
      properties: {
        _id: { type: 'string' },
        a: { type: ['string', 'null'], contentMediaType: 'application/json' },
        b: { type: ['string', 'null'], contentMediaType: 'text/plain' },
        c: { type: ['object', 'null'], properties: { d: { type: ['string', 'null'], contentMediaType: 'application/json' } } },
      },
    };
    assert.deepEqual(jsonTextFields(schema), ['a']);
    assert.deepEqual(jsonTextFields(streamSchema({ name: 'rooms' })).sort(), ['code', 'sentiment', 'sysMes', 'waitingResponse']);
    assert.deepEqual(jsonTextFields(streamSchema({ name: 'users' })), []);
  });

  test('each non-null value becomes its JSON text; null and absent stay as they are', () => {
    const values: unknown[] = [true, false, ['uj', 'ul'], 'Sales, "EMEA" \\ ü', '', 'True', 0, -7.5e-3, { a: { b: [null] } }, [], {}];
    for (const value of values) {
      const out = encodeJsonText({ _id: 'x', f: value, other: value }, ['f']);
      assert.equal(typeof out.f, 'string', JSON.stringify(value));
      assert.deepEqual(JSON.parse(out.f as string), value);
      assert.deepEqual(out.other, value, 'fields not listed are untouched');
    }
    assert.deepEqual(encodeJsonText({ _id: 'x', f: null }, ['f']), { _id: 'x', f: null });
    assert.equal('f' in encodeJsonText({ _id: 'x' }, ['f']), false);
  });

  test('returns the same object when nothing is encoded, a copy otherwise (the input is not modified)', () => {
    const plain = { _id: 'x', f: null, g: 1 };
    assert.equal(encodeJsonText(plain, ['f']), plain, 'no copy: the record can still be copied as received');
    const odd = { _id: 'x', f: true };
    const out = encodeJsonText(odd, ['f']);
    assert.notEqual(out, odd);
    assert.deepEqual(odd, { _id: 'x', f: true });
    assert.deepEqual(out, { _id: 'x', f: 'true' });
  });
});
