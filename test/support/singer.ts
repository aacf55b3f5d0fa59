/**
 * Assertions on the tap's Singer output (stdout): parsing, records per stream, the last STATE,
 * records against their SCHEMA, and records against what the emulator serves for each stream.
 */
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Emulator, IdentityName } from '../../emulator/index.js';
import { STREAMS, type StreamDef, type StreamName } from '../../src/streams.js';

/** Every stream of the tap (the catalog's), in the order of the stream table. */
export const ALL_STREAM_NAMES: readonly StreamName[] = STREAMS.map((s) => s.name);

/**
 * Every stream a run without a catalog reads (selected by default), in the order of the stream
 * table: the streams whose routes `emu.expected` answers for. Omnichannel and statistics are
 * checked with `expectedEndpoint` (test/workspace.e2e.test.ts).
 */
export const STREAM_NAMES = (STREAMS as readonly StreamDef[]).filter((s) => s.selectedByDefault !== false).map((s) => s.name) as Array<ExpectedStream>;
type ExpectedStream = Exclude<StreamName, 'livechat_rooms' | 'livechat_agents' | 'livechat_departments' | 'livechat_contacts' | 'statistics'>;

export interface SingerMessage {
  type: string;
  stream?: string;
  record?: Record<string, unknown> & { _id: string };
  schema?: Record<string, unknown>;
  key_properties?: string[];
  bookmark_properties?: string[];
  value?: { bookmarks: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  time_extracted?: string;
  version?: number;
}

type Doc = Readonly<Record<string, unknown>>;

export function parseMessages(stdout: string): SingerMessage[] {
  return stdout.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as SingerMessage);
}

/** stdout must be whole lines, each a JSON Singer message (nothing cut mid-line by a stop). */
export function assertWholeJsonLines(stdout: string): SingerMessage[] {
  if (stdout === '') return [];
  assert.ok(stdout.endsWith('\n'), `stdout ends mid-line: …${JSON.stringify(stdout.slice(-80))}`);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      let message: SingerMessage;
      try {
        message = JSON.parse(line) as SingerMessage;
      } catch {
        assert.fail(`stdout line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
      }
      assert.ok(['SCHEMA', 'RECORD', 'STATE', 'ACTIVATE_VERSION'].includes(message.type), `line ${i + 1} is not a Singer message`);
      return message;
    });
}

export function recordsOf(messages: readonly SingerMessage[], stream: string): Array<Record<string, unknown> & { _id: string }> {
  return messages.filter((m) => m.type === 'RECORD' && m.stream === stream).map((m) => m.record!);
}

export function lastState(messages: readonly SingerMessage[]): SingerMessage['value'] | undefined {
  return messages.filter((m) => m.type === 'STATE').at(-1)?.value;
}

export function idsOf(records: readonly Doc[]): string[] {
  return records.map((r) => r._id as string).sort();
}

/** Every RECORD validates against the SCHEMA its stream announced before it. */
export function assertValidAgainstSchemas(messages: readonly SingerMessage[]): void {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajvFormats.default(ajv);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const m of messages) {
    if (m.type === 'SCHEMA') validators.set(m.stream!, ajv.compile(m.schema!));
    if (m.type === 'RECORD') {
      const validate = validators.get(m.stream!);
      assert.ok(validate, `RECORD of ${m.stream} before its SCHEMA`);
      assert.ok(validate(m.record), `${m.stream} record ${m.record?._id} invalid: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

export interface StreamCheck {
  stream: string;
  expected: number;
  emitted: number;
  duplicates: number;
}

/** The same records by _id as `expected`, none twice. */
export function assertSameRecords(actual: readonly Doc[], expected: readonly Doc[], what: string): StreamCheck {
  const ids = actual.map((r) => r._id as string);
  const unique = new Set(ids);
  const wanted = new Set(expected.map((d) => d._id as string));
  const missing = [...wanted].filter((id) => !unique.has(id));
  const extra = [...unique].filter((id) => !wanted.has(id));
  assert.equal(ids.length - unique.size, 0, `${what}: ${ids.length - unique.size} duplicate records`);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${what}: records differ from the emulator's`);
  return { stream: what, expected: expected.length, emitted: ids.length, duplicates: 0 };
}

/** Each of `streams` (every stream unless given) has exactly the records `emu` serves `identity`. */
export function assertExactStreams(
  messages: readonly SingerMessage[],
  emu: Emulator,
  identity: IdentityName = 'admin',
  streams: readonly ExpectedStream[] = STREAM_NAMES,
): StreamCheck[] {
  return streams.map((stream) => assertSameRecords(recordsOf(messages, stream), emu.expected(stream, identity), stream));
}
