/**
 * Stream schemas (schemas/streams/*.json) and the types generated from them (src/generated/records.ts).
 *
 * The schemas are embedded in Singer SCHEMA messages and loaded by MeltanoLabs target-postgres, which validates
 * records with Draft 2020-12 and derives column types from `type`/`format`/`items`. These tests pin the rules that
 * keep such loads from failing: only `_id` required, everything else nullable, timestamps as date-time strings,
 * mixed-type fields mapped to jsonb, and every real sample record valid with no undeclared top-level key.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { encodeJsonText, jsonTextFields } from '../src/json-text.js';
import { STREAMS, type StreamDef, type StreamName } from '../src/streams.js';
import type { StreamRecordMap } from '../src/generated/records.js';

// Compiled tests live in dist/test/, so the package root is two levels up.
const ROOT = new URL('../../', import.meta.url);
const SCHEMA_DIR = new URL('schemas/streams/', ROOT);
const FIXTURE_DIR = new URL('test/fixtures/samples/', ROOT);

// ajv-formats is CommonJS (`module.exports = plugin; exports.default = plugin`). Under NodeNext the default
// import is module.exports, typed as the module object; its `.default` is the plugin, typed and at runtime.
const addFormats = ajvFormats.default;

// Compile-time check: the generated StreamRecordMap has exactly the streams of the table.
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameStreams: Equal<keyof StreamRecordMap, StreamName> = true;

interface Schema {
  type?: string | string[];
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  required?: string[];
  additionalProperties?: boolean | Schema;
  [keyword: string]: unknown;
}

interface SampleFixture {
  records: Record<string, unknown>[];
  removed?: { _id: string; _deletedAt: string }[];
}

/** Keywords that mean the same in draft-07 and Draft 2020-12 (the only ones stream schemas may use). */
const PORTABLE_KEYWORDS = new Set([
  'type', 'properties', 'items', 'format', 'anyOf', 'enum', 'required', 'additionalProperties', 'description',
  'contentMediaType',
]);

/** Fields Rocket.Chat types as a union or unknown, declared as JSON text (src/json-text.ts). */
const JSON_TEXT_FIELDS: Record<string, string[]> = {
  channels: ['code', 'rolePrioritiesCreated', 'sentiment', 'sysMes'],
  rooms: ['code', 'sentiment', 'sysMes', 'waitingResponse'],
  subscriptions: ['blocked', 'blocker', 'code', 'department'],
};

function readJson<T>(url: URL): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

function schemaFiles(): string[] {
  return readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort();
}

function loadSchema(stream: string): Schema {
  return readJson<Schema>(new URL(`${stream}.json`, SCHEMA_DIR));
}

function loadFixture(stream: string): SampleFixture {
  return readJson<SampleFixture>(new URL(`${stream}.json`, FIXTURE_DIR));
}

function typesOf(schema: Schema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function nonNullTypes(schema: Schema): string[] {
  return typesOf(schema).filter((t) => t !== 'null');
}

/** Every sub-schema with its JSON-pointer-ish path, root first. */
function* walk(schema: Schema, path = '#'): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [name, sub] of Object.entries(schema.properties ?? {})) yield* walk(sub, `${path}/properties/${name}`);
  if (schema.items) yield* walk(schema.items, `${path}/items`);
  for (const [i, sub] of (schema.anyOf ?? []).entries()) yield* walk(sub, `${path}/anyOf/${i}`);
  if (typeof schema.additionalProperties === 'object') yield* walk(schema.additionalProperties, `${path}/additionalProperties`);
}

/** Object properties below the root whose schema declares them (the values of `properties` maps). */
function* declaredProperties(schema: Schema): Generator<[string, Schema]> {
  for (const [path, node] of walk(schema)) {
    for (const [name, sub] of Object.entries(node.properties ?? {})) yield [`${path}/properties/${name}`, sub];
  }
}

/** Keys of `value` not declared where the schema declares a shape (top level, known nested objects, item objects). */
function undeclaredKeys(schema: Schema, value: unknown, path = ''): string[] {
  const out: string[] = [];
  if (Array.isArray(value) && schema.items) {
    value.forEach((item, i) => out.push(...undeclaredKeys(schema.items as Schema, item, `${path}[${i}]`)));
  } else if (value !== null && typeof value === 'object' && !Array.isArray(value) && schema.properties) {
    for (const [key, sub] of Object.entries(value)) {
      const declared = schema.properties[key];
      if (declared === undefined) out.push(path ? `${path}.${key}` : key);
      else out.push(...undeclaredKeys(declared, sub, path ? `${path}.${key}` : key));
    }
  }
  return out;
}

function newAjv2020(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

function newAjvDraft07(): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  return ajv;
}

const ajv2020 = newAjv2020();
const ajv07 = newAjvDraft07();
const validators = new Map<string, { v2020: ValidateFunction; v07: ValidateFunction }>();

function validatorsFor(stream: string): { v2020: ValidateFunction; v07: ValidateFunction } {
  let entry = validators.get(stream);
  if (!entry) {
    const schema = loadSchema(stream) as AnySchemaObject;
    entry = { v2020: ajv2020.compile(schema), v07: ajv07.compile(structuredClone(schema)) };
    validators.set(stream, entry);
  }
  return entry;
}

function assertValid(stream: string, record: unknown, label: string): void {
  const { v2020, v07 } = validatorsFor(stream);
  assert.ok(v2020(record), `${stream} ${label} (2020-12): ${ajv2020.errorsText(v2020.errors)}`);
  assert.ok(v07(record), `${stream} ${label} (draft-07): ${ajv07.errorsText(v07.errors)}`);
}

function assertInvalid(stream: string, record: unknown, label: string): void {
  const { v2020, v07 } = validatorsFor(stream);
  assert.equal(v2020(record), false, `${stream} ${label} should fail (2020-12)`);
  assert.equal(v07(record), false, `${stream} ${label} should fail (draft-07)`);
}

describe('stream table and schema files', () => {
  test('generated StreamRecordMap covers exactly the stream table', () => {
    assert.equal(sameStreams, true);
  });

  test('every stream in STREAMS has schemas/streams/<name>.json and every schema file is in STREAMS', () => {
    const fromTable = STREAMS.map((s) => `${s.name}.json`).sort();
    assert.deepEqual(schemaFiles(), fromTable);
  });

  test('every stream has a sample fixture', () => {
    const fixtures = readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json')).sort();
    assert.deepEqual(fixtures, STREAMS.map((s) => `${s.name}.json`).sort());
  });
});

for (const def of STREAMS as readonly StreamDef[]) {
  const stream = def.name;

  describe(`schema: ${stream}`, () => {
    const schema = loadSchema(stream);

    test('top level is an open object with only _id required, and no $schema/$id', () => {
      assert.equal(schema.type, 'object');
      assert.deepEqual(schema.required, ['_id']);
      assert.equal('$schema' in schema, false);
      assert.equal('$id' in schema, false);
      assert.equal('additionalProperties' in schema, false, 'unknown fields must pass (they are reported as drift)');
      assert.ok(schema.properties && Object.keys(schema.properties).length > 1);
    });

    test('uses only keywords that mean the same in draft-07 and 2020-12', () => {
      for (const [path, node] of walk(schema)) {
        const extra = Object.keys(node).filter((k) => !PORTABLE_KEYWORDS.has(k));
        assert.deepEqual(extra, [], `${stream} ${path}`);
        if (node.description !== undefined) {
          assert.equal(typeof node.description, 'string', `${stream} ${path}`);
          assert.ok(node.description.trim().length > 0, `${stream} ${path}: empty description`);
        }
      }
    });

    test('compiles in strict mode with Ajv 2020-12 and draft-07, and passes both meta-schemas', () => {
      assert.equal(ajv2020.validateSchema(schema), true, ajv2020.errorsText(ajv2020.errors));
      assert.equal(ajv07.validateSchema(schema), true, ajv07.errorsText(ajv07.errors));
      assert.doesNotThrow(() => validatorsFor(stream));
    });

    test('_id is a required, non-null string', () => {
      assert.equal(schema.properties?._id?.type, 'string');
      assertInvalid(stream, {}, 'without _id');
      assertInvalid(stream, { _id: null }, 'with _id null');
      assertInvalid(stream, { _id: 42 }, 'with a numeric _id');
      assertValid(stream, { _id: 'x' }, 'with only _id');
    });

    test('every other property, nested ones included, allows null', () => {
      for (const [path, prop] of declaredProperties(schema)) {
        if (path === '#/properties/_id') continue;
        assert.ok(typesOf(prop).includes('null'), `${stream} ${path} must allow null`);
        assert.ok(nonNullTypes(prop).length > 0, `${stream} ${path} needs a non-null type`);
      }
      const allNull = Object.fromEntries(
        Object.keys(schema.properties ?? {}).filter((k) => k !== '_id').map((k) => [k, null]),
      );
      assertValid(stream, { _id: 'x', ...allNull }, 'with every property null');
    });

    test('date-time properties are plain string types (timestamp columns)', () => {
      for (const [path, node] of walk(schema)) {
        if (node.format === undefined) continue;
        assert.equal(node.format, 'date-time', `${stream} ${path}: unexpected format`);
        assert.deepEqual(nonNullTypes(node), ['string'], `${stream} ${path}`);
      }
      const firstDate = Object.entries(schema.properties ?? {}).find(([, p]) => p.format === 'date-time')?.[0];
      if (firstDate) {
        assertValid(stream, { _id: 'x', [firstDate]: '2024-07-16T08:49:34.732Z' }, `${firstDate} as ISO date-time`);
        assertInvalid(stream, { _id: 'x', [firstDate]: 'not a date' }, `${firstDate} as garbage`);
        assertInvalid(stream, { _id: 'x', [firstDate]: '' }, `${firstDate} as empty string`);
      }
    });

    test('types map to one column type in target-postgres', () => {
      for (const [path, prop] of declaredProperties(schema)) {
        const types = nonNullTypes(prop);
        if (types.includes('array') && prop.items) {
          // ARRAY(X) needs one item type: items.type must be a single string.
          assert.equal(typeof prop.items.type, 'string', `${stream} ${path}: items need exactly one type`);
        }
        // Several JSON types make a json column that pipelinewise-target-postgres and target-duckdb
        // cannot load booleans or strings into: such fields are JSON text instead. Inside a list
        // (messages' attachments[].ts) the value is stored as part of the list's JSON, whole.
        if (path.includes('/items/')) continue;
        assert.ok(types.length <= 1, `${stream} ${path}: union ${types.join('|')}; declare it as JSON text`);
      }
    });

    test('fields of several JSON types are declared as JSON text: a nullable string with contentMediaType', () => {
      const declared = Object.entries(schema.properties ?? {})
        .filter(([, p]) => p.contentMediaType !== undefined)
        .map(([name, p]) => {
          assert.equal(p.contentMediaType, 'application/json', `${stream} ${name}`);
          assert.deepEqual(p.type, ['string', 'null'], `${stream} ${name}`);
          assert.match(p.description ?? '', /JSON text/, `${stream} ${name}: the description says it is JSON text`);
          return name;
        });
      assert.deepEqual(declared.sort(), JSON_TEXT_FIELDS[stream] ?? []);
      // The tap encodes top-level fields only (src/json-text.ts): nowhere else may ask for it.
      const nested = [...walk(schema)].filter(([path, node]) => node.contentMediaType !== undefined && path.split('/').length !== 3);
      assert.deepEqual(nested.map(([path]) => path), [], `${stream}: contentMediaType below the top level`);
    });

    const replicationKey = 'incremental' in def ? def.incremental.key : undefined;
    if (replicationKey) {
      test(`replication key ${replicationKey} is a declared date-time`, () => {
        const key = schema.properties?.[replicationKey];
        assert.equal(key?.format, 'date-time');
      });
    }

    if (def.read === 'delta') {
      test('declares _sdc_deleted_at, and deletion records {_id, _sdc_deleted_at} validate', () => {
        const deleted = schema.properties?._sdc_deleted_at;
        assert.ok(deleted, '_sdc_deleted_at must be declared');
        assert.deepEqual(deleted.type, ['string', 'null']);
        assert.equal(deleted.format, 'date-time');
        const removed = loadFixture(stream).removed ?? [];
        assert.ok(removed.length > 0, 'fixture has removals');
        for (const r of removed) {
          assertValid(stream, { _id: r._id, _sdc_deleted_at: r._deletedAt }, `deletion record ${r._id}`);
        }
      });
    }

    test('every sample record, as the tap emits it, validates and has no undeclared key', () => {
      const { records } = loadFixture(stream);
      assert.ok(records.length > 0, 'fixture has records');
      for (const record of records) {
        const id = String(record._id);
        // Union-typed fields go out as JSON text (src/json-text.ts).
        assertValid(stream, encodeJsonText(record, jsonTextFields(schema)), `sample ${id}`);
        assert.deepEqual(undeclaredKeys(schema, record), [], `${stream} sample ${id}: undeclared keys`);
      }
    });
  });
}

describe('variant fields and stream-specific facts', () => {
  test('union fields take JSON text or null, never the bare value', () => {
    for (const [stream, fields] of Object.entries(JSON_TEXT_FIELDS)) {
      for (const field of fields) {
        for (const text of ['true', '["uj","ul"]', '"abc"', '{"a":1}', '3', '']) {
          assertValid(stream, { _id: 'x', [field]: text }, `${field}=${text}`);
        }
        assertValid(stream, { _id: 'x', [field]: null }, `${field}=null`);
        for (const value of [true, ['uj'], 3, { a: 1 }]) {
          assertInvalid(stream, { _id: 'x', [field]: value }, `${field}=${JSON.stringify(value)} (bare)`);
        }
      }
    }
  });

  test('counters are integers', () => {
    assertInvalid('rooms', { _id: 'r', msgs: 3.5 }, 'fractional msgs');
    assertInvalid('rooms', { _id: 'r', usersCount: '3' }, 'usersCount as string');
    assertInvalid('teams', { _id: 't', type: 1.5 }, 'fractional team type');
    assertInvalid('subscriptions', { _id: 's', unread: 0.5 }, 'fractional unread');
    assertValid('teams', { _id: 't', type: 1, rooms: 0, numberOfUsers: 2 }, 'integer counters');
  });

  test('subscriptions: fname may be null', () => {
    assertValid('subscriptions', { _id: 's', fname: null }, 'fname null');
  });

  test('users: emails, roles and lastLogin are optional; _updatedAt and createdAt are not declared', () => {
    const props = loadSchema('users').properties ?? {};
    for (const key of ['emails', 'roles', 'lastLogin']) assert.ok(props[key], `${key} declared`);
    assert.equal('_updatedAt' in props, false);
    assert.equal('createdAt' in props, false);
    assertValid('users', { _id: 'u', username: 'a', nameInsensitive: '', active: true }, 'non-admin shape');
    assertValid(
      'users',
      { _id: 'u', emails: [{ address: 'a@b.c', verified: false }], roles: ['user'], lastLogin: '2023-05-16T20:50:33.579Z' },
      'admin shape',
    );
  });

  test('messages: t is any string (system types unknown to the schema are valid)', () => {
    for (const t of ['uj', 'rm', 'discussion-created', 'otr', 'some-future-type', null]) {
      assertValid('messages', { _id: 'm', t }, `t=${JSON.stringify(t)}`);
    }
    assertInvalid('messages', { _id: 'm', t: 1 }, 't as a number');
  });

  test('messages: reactions are keyed by emoji, each with usernames', () => {
    const reactions = { ':+1:': { usernames: ['alice'], names: ['Alice'] }, ':tada:': { usernames: [] } };
    assertValid('messages', { _id: 'm', reactions }, 'two emojis');
    assertValid('messages', { _id: 'm', reactions: {} }, 'no reactions (soft deletion)');
    assertInvalid('messages', { _id: 'm', reactions: { ':+1:': { usernames: 'alice' } } }, 'usernames as a string');
    assertInvalid('messages', { _id: 'm', reactions: { ':+1:': ['alice'] } }, 'an entry as a list');
  });

  test('messages: attachment ts and field values accept the variants the server lets through', () => {
    for (const ts of ['2026-11-30T10:05:12.345Z', 'yesterday', 1764497280, null]) {
      assertValid('messages', { _id: 'm', attachments: [{ ts }] }, `attachment ts=${JSON.stringify(ts)}`);
    }
    for (const value of ['4m 12s', 1342, true, null]) {
      assertValid('messages', { _id: 'm', attachments: [{ fields: [{ title: 't', value }] }] }, `field value=${JSON.stringify(value)}`);
    }
    assertInvalid('messages', { _id: 'm', attachments: [{ title: 3 }] }, 'attachment title as a number');
  });

  test('messages: md is a list of block objects', () => {
    assertValid('messages', { _id: 'm', md: [{ type: 'PARAGRAPH', value: [{ type: 'PLAIN_TEXT', value: 'hi' }] }] }, 'one paragraph');
    assertInvalid('messages', { _id: 'm', md: 'hi' }, 'md as a string');
    assertInvalid('messages', { _id: 'm', md: ['hi'] }, 'md blocks as strings');
  });

  test('messages: deletion records {_id, rid, _sdc_deleted_at} validate; the visitor token is not declared', () => {
    const removed = loadFixture('messages').removed ?? [];
    assert.ok(removed.length > 0, 'fixture has removals');
    for (const r of removed) {
      assertValid('messages', { _id: r._id, rid: 'GENERAL', _sdc_deleted_at: r._deletedAt }, `deletion record ${r._id}`);
    }
    assertInvalid('messages', { _id: 'm', _sdc_deleted_at: 'not a date' }, '_sdc_deleted_at as garbage');
    assert.equal('token' in (loadSchema('messages').properties ?? {}), false);
  });

  test('roles: _updatedAt is not declared (roles.list never returns it)', () => {
    assert.equal('_updatedAt' in (loadSchema('roles').properties ?? {}), false);
  });
});

describe('generated types', () => {
  test('src/generated/records.ts is fresh (node scripts/generate-types.mjs --check)', () => {
    const script = fileURLToPath(new URL('scripts/generate-types.mjs', ROOT));
    const result = spawnSync(process.execPath, [script, '--check'], { cwd: fileURLToPath(ROOT), encoding: 'utf8' });
    assert.equal(result.status, 0, `generate-types --check failed:\n${result.stdout}${result.stderr}`);
  });

  test('records.ts exports one interface per stream, TapConfig and StreamRecordMap', () => {
    const text = readFileSync(new URL('src/generated/records.ts', ROOT), 'utf8');
    for (const { name } of STREAMS) {
      const typeName = `${name.split('_').map((w) => `${w[0]?.toUpperCase()}${w.slice(1)}`).join('')}Record`;
      assert.match(text, new RegExp(`^export interface ${typeName} \\{`, 'm'));
    }
    assert.match(text, /^export interface TapConfig \{/m);
    assert.match(text, /^export type StreamRecordMap = \{/m);
    assert.match(text, /GENERATED FILE - DO NOT EDIT/);
    assert.match(text, /npm run generate-types/);
  });
});
