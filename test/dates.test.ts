import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isDateTimeString } from '../src/dates.js';

test('isDateTimeString agrees with Date.parse, on canonical stamps and on anything else', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => isDateTimeString(d.toISOString())),
    { numRuns: 500 },
  );
  const digits = fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  fc.assert(fc.property(fc.oneof(digits, fc.string()), (s) => isDateTimeString(s) === !Number.isNaN(Date.parse(s))), { numRuns: 2000 });
  for (const bad of [undefined, null, 5, '', 'yesterday', '2023-13-01T00:00:00.000Z']) assert.equal(isDateTimeString(bad), false, String(bad));
  assert.equal(isDateTimeString('2023-01-01T00:00:00Z'), true, 'other ISO forms go to Date.parse');
});
