/**
 * The built CLI against the emulator with oddValues: every union-typed field takes each JSON
 * shape, and each comes out as JSON text that parses back to exactly what was served.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '../emulator/index.js';
import { jsonTextFields } from '../src/json-text.js';
import { streamSchema } from '../src/schemas.js';
import { rewrite } from '../src/messages/emitted-message.js';
import { withoutVisitorToken } from '../src/visitor-token.js';
import type { MessageRow } from '../src/messages/sync-messages-api.js';
import { configFor } from './support/emulator.js';
import { runTap } from './support/run-tap.js';
import { STREAM_NAMES, assertSameRecords, assertValidAgainstSchemas, recordsOf } from './support/singer.js';

function shape(value: unknown): string {
  if (value === undefined) return 'absent';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'boolean' ? String(value) : typeof value;
}

describe('union-typed fields with every JSON shape (emulator oddValues)', () => {
  let emu: Emulator;
  before(async () => {
    emu = await startEmulator({ data: { users: 300, seed: 11 }, oddValues: true });
  });
  after(() => emu.close());

  test('each value is emitted as its JSON text; null stays null and absent stays absent', async () => {
    const run = await runTap(['--config', configFor(emu, 'admin')]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /schema drift/);
    assertValidAgainstSchemas(run.messages);
    let checked = 0;
    for (const stream of STREAM_NAMES) {
      const fields = jsonTextFields(streamSchema({ name: stream }));
      // Messages lose a visitor token and gain _sdc_deleted_at when soft-deleted (src/messages/emitted-message.ts).
      const served = emu.expected(stream, 'admin').map((doc) => (stream === 'messages' ? (rewrite(doc as MessageRow) as typeof doc) : withoutVisitorToken(doc)));
      const records = recordsOf(run.messages, stream);
      assertSameRecords(records, served, stream);
      const byId = new Map<string, Record<string, unknown>>(records.map((r) => [r._id, r]));
      for (const field of fields) {
        const shapes = new Set(served.map((doc) => shape(doc[field])));
        assert.deepEqual([...shapes].sort(), ['absent', 'array', 'false', 'null', 'number', 'object', 'string', 'true'], `${stream}.${field} shapes`);
        for (const doc of served) {
          const out = byId.get(doc._id as string)!;
          const value = doc[field];
          if (value === undefined) assert.equal(field in out, false, `${stream} ${doc._id as string}.${field} stays absent`);
          else if (value === null) assert.equal(out[field], null);
          else {
            assert.equal(typeof out[field], 'string', `${stream} ${doc._id as string}.${field}`);
            assert.deepEqual(JSON.parse(out[field] as string), value);
          }
          checked++;
        }
      }
      // Everything else exactly as served.
      for (const doc of served) {
        const out = { ...byId.get(doc._id as string)! };
        for (const field of fields) delete out[field];
        const want = { ...doc };
        for (const field of fields) delete want[field];
        assert.deepEqual(out, want, `${stream} ${doc._id as string}`);
      }
    }
    assert.ok(checked > 300, `${checked} union values checked`);
  });
});
