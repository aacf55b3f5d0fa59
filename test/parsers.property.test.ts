/**
 * Property-based tests (fast-check) of the input parsers: config (validateConfig,
 * mergeConfigSources with files and ENV), catalog (parseCatalog + selectStreams, readCatalogFile)
 * and state (parseState, readStateFile). Whatever the input, each either parses or throws an
 * InputError whose message is one line; never another exception.
 *
 * Inputs come from JSON files or the environment, so values are JSON values (round-tripped
 * through JSON so keys such as "__proto__" are own properties, as JSON.parse makes them) and
 * arbitrary text, biased towards the shapes the parsers look at and towards awkward characters.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { STREAMS as TABLE } from '../src/streams.js';
import { parseCatalog, readCatalogFile, selectStreams } from '../src/catalog.js';
import { ENV_SOURCE, mergeConfigSources, validateConfig } from '../src/config.js';
import { InputError } from '../src/errors.js';
import { setLogSink } from '../src/log.js';
import { loadConfigSchema, envVarName } from '../src/settings-schema.js';
import { parseState, readStateFile } from '../src/state.js';
import { tempDir } from './support/run-tap.js';

const RUNS = Number(process.env.FC_RUNS ?? 500);
/** validateConfig compiles the JSON Schema with ajv on every call (about 5 ms): fewer runs there. */
const CONFIG_RUNS = Math.max(50, Math.round(RUNS / 4));
/** Shrinking re-runs validateConfig (which compiles the schema each call) thousands of times: opt in. */
const PARAMS = { endOnFailure: !process.env.FC_SHRINK };
const schema = loadConfigSchema();
const SETTINGS = Object.keys(schema.properties);
const STREAMS = TABLE.map((s) => s.name);

/** How an input may fail: an InputError with a one-line message. Anything else fails the property. */
type Outcome = { ok: true } | { ok: false; kind: 'input-error-multiline' | 'other-exception'; detail: string };

function judge(err: unknown): Outcome {
  if (!(err instanceof InputError)) {
    const name = err instanceof Error ? `${err.constructor.name}: ${err.message}` : String(err);
    return { ok: false, kind: 'other-exception', detail: name };
  }
  if (/[\r\n]/.test(err.message) || err.message.trim() === '') return { ok: false, kind: 'input-error-multiline', detail: JSON.stringify(err.message) };
  return { ok: true };
}

async function outcomeOf(fn: () => unknown): Promise<Outcome> {
  try {
    await fn();
    return { ok: true };
  } catch (err) {
    return judge(err);
  }
}

/** Asserts the property for one kind of failure only, so each finding is reported on its own. */
function only(kind: 'input-error-multiline' | 'other-exception', outcome: Outcome): void {
  if (!outcome.ok && outcome.kind === kind) assert.fail(`${kind}: ${outcome.detail}`);
}

const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------
// Arbitraries

const awkward = fc.constantFrom('', ' ', '\t', '\n', 'line\nbreak', '\r\n', '"', '\\', '\u2028', 'é', '🙂', '\u0000'.slice(1), '%00', '../', '{}', '[]', 'null');
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 40 }), awkward, fc.tuple(fc.string(), awkward, fc.string()).map((p) => p.join('')));
const trickyKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', 'length', '0');
const anyKey = fc.oneof(text, trickyKey);
const json = fc.jsonValue({ maxDepth: 3 });
const blank = fc.constantFrom(' ', '  ', '\t', '\n', ' \t\r\n', '\u00a0', '\u3000', '\ufeff');
const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), awkward, blank);
const value = fc.oneof({ weight: 3, arbitrary: scalar }, { weight: 1, arbitrary: json });

const endpoint = fc.oneof(
  fc.webUrl(),
  fc.webUrl().map((u) => `${u}/api/v1`),
  fc.tuple(fc.webUrl(), fc.constantFrom('/api/v1/', '/api', '/api/v1\n', '\n/api/v1', '/api/v1\t', ' /api ', '?x=1', '#f', '/'), text).map(([u, s, t]) => `${u}${s}${t}`),
  fc.constantFrom('chat.example.com', 'localhost:3000', 'ftp://x', 'http://', 'https://user:pw@x.com', 'http://[::1]:3000', 'https://x.com/api/v1\nEVIL', 'https://x.com/api/v1\n', '\thttps://x.com/api', 'https://\u2028x.com'),
  text,
);

const isoish = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2024-02-30', '2024-13-01', '2024-01-01T25:00:00Z', '2024-01-01 00:00', '2024-01-01T00:00:00+0530', 'yesterday', '1700000000'),
  text,
);

/** Config-shaped objects: known settings with good, wrong-typed or awkward values, plus other keys. */
const configObject = fc
  .tuple(
    fc.record(
      {
        endpoint,
        user_id: fc.oneof(fc.string({ minLength: 1 }), value),
        token: fc.oneof(fc.string({ minLength: 1 }), value),
        start_date: fc.oneof(isoish, value),
        page_size: fc.oneof(fc.integer({ min: -5, max: 200 }), value),
        max_concurrency: fc.oneof(fc.integer({ min: -1, max: 100 }), value),
        request_timeout: fc.oneof(fc.double({ min: -1, max: 5000, noNaN: true }), value),
        max_retries: fc.oneof(fc.integer({ min: -1, max: 60 }), value),
        retry_backoff: fc.oneof(fc.double({ min: -1, max: 100, noNaN: true }), value),
        max_rate_limit_wait: fc.oneof(fc.double({ min: -1, max: 1e6, noNaN: true }), value),
        emit_activate_version_messages: fc.oneof(fc.boolean(), value),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(anyKey, value, { maxKeys: 3 }),
  )
  .map(([known, extra]) => roundTrip({ ...extra, ...known }) as Record<string, unknown>);

const breadcrumb = fc.oneof(
  fc.constant([]),
  fc.tuple(fc.constant('properties'), fc.oneof(fc.constantFrom('_id', 'name', 'emails', '_updatedAt'), text)),
  fc.array(fc.oneof(text, json), { maxLength: 3 }),
  fc.constant(['properties', { toString: 1 }]),
  json,
);
const metadataFields = fc.record(
  {
    selected: fc.oneof(fc.boolean(), value),
    inclusion: fc.oneof(fc.constantFrom('available', 'automatic', 'unsupported'), value),
    'selected-by-default': fc.oneof(fc.boolean(), value),
    'replication-method': fc.oneof(fc.constantFrom('FULL_TABLE', 'INCREMENTAL', 'LOG_BASED'), value),
  },
  { requiredKeys: [] },
);
const metadataEntry = fc.oneof(
  { weight: 6, arbitrary: fc.record({ breadcrumb, metadata: metadataFields }) },
  { weight: 1, arbitrary: fc.record({ breadcrumb, metadata: metadataFields }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: json },
);
const catalogEntry = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record(
      {
        tap_stream_id: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...STREAMS) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: value }),
        stream: fc.oneof(fc.constantFrom(...STREAMS), value),
        schema: fc.oneof(fc.record({ type: fc.constant('object'), properties: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom('_id', '_updatedAt', 'name'), anyKey), fc.oneof(fc.constant({ type: 'string' }), json), { maxKeys: 4 }), json), selected: fc.oneof(fc.boolean(), value) }, { requiredKeys: [] }), json),
        metadata: fc.oneof(fc.array(metadataEntry, { maxLength: 4 }), value),
        replication_method: fc.oneof(fc.constantFrom('FULL_TABLE', 'INCREMENTAL'), value),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: json },
);
const catalogValue = fc.oneof({ weight: 6, arbitrary: fc.record({ streams: fc.oneof({ weight: 5, arbitrary: fc.array(catalogEntry, { maxLength: 5 }) }, { weight: 1, arbitrary: json }) }, { requiredKeys: [] }) }, { weight: 1, arbitrary: json }).map(roundTrip);

const bookmark = fc.oneof(
  { weight: 5, arbitrary: fc.record({ replication_key: fc.oneof(fc.constant('_updatedAt'), value), replication_key_value: fc.oneof(isoish, value), overlap: fc.oneof(fc.dictionary(text, isoish, { maxKeys: 3 }), value), version: value }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: json },
);
const stateValue = fc
  .oneof(
    { weight: 5, arbitrary: fc.record({ bookmarks: fc.oneof(fc.dictionary(fc.oneof(fc.constantFrom(...STREAMS), anyKey), bookmark, { maxKeys: 4 }), value) }, { requiredKeys: [] }) },
    { weight: 2, arbitrary: fc.record({ type: fc.constant('STATE'), value: fc.record({ bookmarks: fc.dictionary(fc.oneof(fc.constantFrom(...STREAMS), anyKey), bookmark, { maxKeys: 3 }) }) }) },
    { weight: 1, arbitrary: json },
  )
  .map(roundTrip);

/** File contents: valid JSON of the shape, JSON cut or spliced at a random place, or any text. */
const fileText = (shape: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    shape.map((v) => JSON.stringify(v, null, 2)),
    fc.tuple(shape, fc.nat(), fc.nat()).map(([v, a, b]) => {
      const s = JSON.stringify(v, null, 2);
      const i = a % (s.length + 1);
      return s.slice(0, i) + s.slice(i + (b % 5));
    }),
    fc.tuple(shape, fc.nat(), text).map(([v, a, t]) => {
      const s = JSON.stringify(v);
      const i = a % (s.length + 1);
      return s.slice(0, i) + t + s.slice(i);
    }),
    text,
    fc.constantFrom('', '\n', '{', '# comment\n{}', 'a\nb', 'token: abc\nendpoint: x', '\uFEFF{}'),
  );

// ---------------------------------------------------------------------------------------------

let dir: string;
before(() => {
  setLogSink(() => undefined); // warnings about unknown keys are expected; keep the output clean
  dir = tempDir();
});
after(() => setLogSink((line) => process.stderr.write(line)));

let fileCounter = 0;
function fileWith(content: string): string {
  const path = join(dir, `f${fileCounter++}.json`);
  writeFileSync(path, content);
  return path;
}

for (const kind of ['other-exception', 'input-error-multiline'] as const) {
  const what = kind === 'other-exception' ? 'only InputError is thrown' : 'InputError messages are one line';

  describe(`config parsers: ${what}`, () => {
    test('validateConfig over config-shaped objects', () =>
      fc.assert(
        fc.asyncProperty(configObject, fc.boolean(), async (raw, usedEnv) => only(kind, await outcomeOf(() => validateConfig(raw, schema, usedEnv)))),
        { ...PARAMS, numRuns: CONFIG_RUNS },
      ));

    test('validateConfig over any JSON object', () =>
      fc.assert(
        fc.asyncProperty(fc.dictionary(anyKey, json).map(roundTrip), async (raw) => only(kind, await outcomeOf(() => validateConfig(raw, schema)))),
        { ...PARAMS, numRuns: Math.round(CONFIG_RUNS / 2) },
      ));

    test('mergeConfigSources + validateConfig over files and TAP_ROCKETCHAT_* variables', () => {
      const envVars = fc.dictionary(fc.constantFrom(...SETTINGS), fc.oneof(fc.string(), awkward, fc.integer().map(String), fc.constantFrom('true', 'no', ' 5 ', '1e3', 'Infinity', '0x10')), { maxKeys: 5 });
      const source = fc.oneof(
        { weight: 3, arbitrary: fileText(configObject).map((t) => ({ file: t })) },
        { weight: 1, arbitrary: fc.constant({ env: true }) },
        { weight: 1, arbitrary: fc.constantFrom({ missing: true }, { directory: true }) },
      );
      return fc.assert(
        fc.asyncProperty(fc.array(source, { minLength: 1, maxLength: 3 }), envVars, async (sources, vars) => {
          const saved = { ...process.env };
          for (const key of Object.keys(process.env)) if (key.startsWith('TAP_ROCKETCHAT_')) delete process.env[key];
          for (const [name, v] of Object.entries(vars)) process.env[envVarName(name)] = v;
          try {
            const paths = sources.map((s) => ('file' in s ? fileWith(s.file) : 'env' in s ? ENV_SOURCE : 'missing' in s ? join(dir, 'missing.json') : dir));
            only(kind, await outcomeOf(async () => validateConfig(await mergeConfigSources(paths, schema), schema, paths.includes(ENV_SOURCE))));
          } finally {
            for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
            Object.assign(process.env, saved);
          }
        }),
        { ...PARAMS, numRuns: CONFIG_RUNS },
      );
    });
  });

  describe(`catalog parsers: ${what}`, () => {
    test('parseCatalog + selectStreams over catalog-shaped values', () =>
      fc.assert(
        fc.asyncProperty(catalogValue, async (catalog) => only(kind, await outcomeOf(() => selectStreams(parseCatalog(catalog, 'catalog.json'), 'catalog.json')))),
        { ...PARAMS, numRuns: RUNS * 2 },
      ));

    test('readCatalogFile + selectStreams over file contents', () =>
      fc.assert(
        fc.asyncProperty(fileText(catalogValue), async (content) => {
          const path = fileWith(content);
          only(kind, await outcomeOf(async () => selectStreams(await readCatalogFile(path), path)));
        }),
        { ...PARAMS, numRuns: RUNS },
      ));
  });

  describe(`state parsers: ${what}`, () => {
    test('parseState over state-shaped values', () =>
      fc.assert(
        fc.asyncProperty(stateValue, async (state) => only(kind, await outcomeOf(() => parseState(state, 'state.json')))),
        { ...PARAMS, numRuns: RUNS * 2 },
      ));

    test('readStateFile over file contents', () =>
      fc.assert(
        fc.asyncProperty(fileText(stateValue), async (content) => {
          const path = fileWith(content);
          only(kind, await outcomeOf(() => readStateFile(path)));
        }),
        { ...PARAMS, numRuns: RUNS },
      ));
  });
}

/** A valid config with one setting replaced by something else. */
const nearlyValid = fc
  .tuple(fc.constantFrom(...SETTINGS), fc.oneof(blank, value, endpoint, isoish))
  .map(([key, v]) => roundTrip({ endpoint: 'https://chat.example.com', user_id: 'aobEdbYhXfu5hkeqG', token: 'Kq3vT9xYb2LmN8pRs4WdZ7', [key]: v }) as Record<string, unknown>);

describe('what validateConfig accepts is usable', () => {
  test('non-blank credentials, an http(s) workspace URL, settings in range', () =>
    fc.assert(
      fc.property(fc.oneof(configObject, nearlyValid), (raw) => {
        let settings;
        try {
          settings = validateConfig(raw, schema);
        } catch (err) {
          if (err instanceof InputError) return;
          throw err;
        }
        assert.notEqual(settings.token, '', 'an accepted token is not blank');
        assert.notEqual(settings.userId, '', 'an accepted user_id is not blank');
        const url = new URL(settings.endpoint);
        assert.ok(url.protocol === 'https:' || url.protocol === 'http:');
        assert.doesNotMatch(settings.endpoint, /\/api(\/v1)?\/?$/);
        assert.ok(Number.isInteger(settings.pageSize) && settings.pageSize >= 1 && settings.pageSize <= 100);
        assert.ok(Number.isInteger(settings.maxConcurrency) && settings.maxConcurrency >= 1);
        assert.ok(settings.requestTimeoutMs > 0);
        assert.ok(settings.startDate === undefined || !Number.isNaN(Date.parse(settings.startDate)));
      }),
      { ...PARAMS, numRuns: CONFIG_RUNS * 2 },
    ));
});

describe('the parsers accept what the tap itself produces', () => {
  test('--discover output and a STATE value round-trip', async () => {
    const { discoverCatalog } = await import('../src/catalog.js');
    const catalog = roundTrip(discoverCatalog());
    assert.equal(selectStreams(parseCatalog(catalog, 'c'), 'c').length, TABLE.filter((s) => !('selectedByDefault' in s)).length);
    const state = { bookmarks: { rooms: { replication_key: '_updatedAt', replication_key_value: '2024-05-01T10:00:00.123Z', overlap: { a: '2024-05-01T10:00:00.123Z' } }, users: { version: 1 } } };
    assert.deepEqual(parseState(roundTrip(state), 's'), state);
  });
});
