import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverCatalog, parseCatalog, selectStreams, type Catalog } from '../src/catalog.js';
import { STREAMS } from '../src/streams.js';
import { InputError } from '../src/errors.js';

const DEFAULT_STREAMS = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users', 'messages'];

function withMetadata(catalog: Catalog, stream: string, breadcrumb: string[], metadata: Record<string, unknown>): Catalog {
  const copy = structuredClone(catalog);
  const entry = copy.streams.find((s) => s.tap_stream_id === stream)!;
  const existing = entry.metadata.find((m) => m.breadcrumb.join('/') === breadcrumb.join('/'));
  if (existing) Object.assign(existing.metadata, metadata);
  else entry.metadata.push({ breadcrumb, metadata });
  return copy;
}

test('discovery lists the six streams with keys, replication metadata and field entries', () => {
  const catalog = discoverCatalog();
  assert.deepEqual(catalog.streams.map((s) => s.tap_stream_id), STREAMS.map((s) => s.name));
  for (const entry of catalog.streams) {
    assert.deepEqual(entry.key_properties, ['_id']);
    const top = entry.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    assert.deepEqual(top['table-key-properties'], ['_id']);
    // Omnichannel and statistics are not selected by default; every other stream is.
    assert.equal(top['selected-by-default'], !(entry.stream.startsWith('livechat_') || entry.stream === 'statistics'));
    const idMeta = entry.metadata.find((m) => m.breadcrumb.join('/') === 'properties/_id')!.metadata;
    assert.equal(idMeta.inclusion, 'automatic');
    const fields = entry.metadata.filter((m) => m.breadcrumb.length === 2).length;
    assert.equal(fields, Object.keys(entry.schema.properties ?? {}).length);
  }
  const rooms = catalog.streams.find((s) => s.stream === 'rooms')!;
  assert.equal(rooms.replication_key, '_updatedAt');
  assert.deepEqual(rooms.metadata[0]!.metadata['valid-replication-keys'], ['_updatedAt']);
  const users = catalog.streams.find((s) => s.stream === 'users')!;
  assert.equal(users.metadata[0]!.metadata['forced-replication-method'], 'FULL_TABLE');
});

test('without a catalog every stream is selected with every field', () => {
  const selected = selectStreams(undefined);
  assert.deepEqual(selected.map((s) => s.def.name), DEFAULT_STREAMS);
  assert.ok(selected.every((s) => s.fields === undefined));
});

test('the discovered catalog, unchanged, selects every stream selected by default', () => {
  const selected = selectStreams(discoverCatalog());
  assert.deepEqual(selected.map((s) => s.def.name), DEFAULT_STREAMS);
});

test('an Omnichannel stream is read once the catalog selects it', () => {
  const catalog = withMetadata(discoverCatalog(), 'livechat_rooms', [], { selected: true });
  assert.deepEqual(selectStreams(catalog).map((s) => s.def.name), [...DEFAULT_STREAMS, 'livechat_rooms']);
  const entry = catalog.streams.find((s) => s.stream === 'livechat_rooms')!;
  assert.equal(entry.replication_key, 'closedAt');
  const stats = discoverCatalog().streams.find((s) => s.stream === 'statistics')!;
  assert.equal(stats.metadata[0]!.metadata['forced-replication-method'], 'FULL_TABLE');
});

test('stream selection follows the selected flag', () => {
  let catalog = discoverCatalog();
  for (const s of STREAMS) catalog = withMetadata(catalog, s.name, [], { selected: s.name === 'users' || s.name === 'roles' });
  assert.deepEqual(selectStreams(catalog).map((s) => s.def.name), ['roles', 'users']);
});

test('deselected fields are dropped from the schema; keys cannot be deselected', () => {
  let catalog = withMetadata(discoverCatalog(), 'users', ['properties', 'emails'], { selected: false });
  catalog = withMetadata(catalog, 'users', ['properties', '_id'], { selected: false });
  const users = selectStreams(catalog).find((s) => s.def.name === 'users')!;
  assert.ok(users.fields && !users.fields.has('emails') && users.fields.has('_id') && users.fields.has('username'));
  assert.ok(!('emails' in (users.schema.properties ?? {})));
  assert.ok('_id' in (users.schema.properties ?? {}));
});

test('fields with only selected-by-default false are left out, explicit selected wins', () => {
  let catalog = withMetadata(discoverCatalog(), 'users', ['properties', 'status'], { 'selected-by-default': false });
  catalog = withMetadata(catalog, 'users', ['properties', 'name'], { 'selected-by-default': false, selected: true });
  const users = selectStreams(catalog).find((s) => s.def.name === 'users')!;
  assert.ok(!users.fields!.has('status'));
  assert.ok(users.fields!.has('name'));
});

test('a catalog forcing FULL_TABLE on an incremental stream is honoured', () => {
  const catalog = withMetadata(discoverCatalog(), 'rooms', [], { 'replication-method': 'FULL_TABLE' });
  assert.equal(selectStreams(catalog).find((s) => s.def.name === 'rooms')!.replicationMethod, 'FULL_TABLE');
  assert.equal(selectStreams(discoverCatalog()).find((s) => s.def.name === 'rooms')!.replicationMethod, 'INCREMENTAL');
});

test('legacy --properties selection inside the schema is understood', () => {
  const catalog = discoverCatalog();
  for (const entry of catalog.streams) {
    entry.metadata = entry.metadata.filter((m) => m.breadcrumb.length > 0);
    (entry.schema as Record<string, unknown>).selected = entry.stream === 'teams';
  }
  assert.deepEqual(selectStreams(catalog).map((s) => s.def.name), ['teams']);
});

test('malformed catalogs and unknown streams are clear input errors', () => {
  assert.throws(() => parseCatalog([], 'c.json'), { message: 'catalog c.json must be a JSON object with a "streams" array (as --discover prints)' });
  assert.throws(() => parseCatalog({ streams: [{}] }, 'c.json'), { message: 'catalog c.json: streams[0] has no "tap_stream_id"' });
  assert.throws(() => parseCatalog({ streams: [{ tap_stream_id: 'users', metadata: {} }] }, 'c.json'), { message: 'catalog c.json: stream "users" has "metadata" that is not an array' });
  const catalog = discoverCatalog();
  catalog.streams[0]!.tap_stream_id = 'userz';
  assert.throws(() => selectStreams(catalog, 'c.json'), (err: unknown) => err instanceof InputError && /unknown stream "userz" \(did you mean "users"\?\)/.test(err.message));
});

test('a breadcrumb given twice: the last entry wins, as in the SDK', () => {
  const catalog = structuredClone(discoverCatalog());
  const users = catalog.streams.find((s) => s.tap_stream_id === 'users')!;
  users.metadata[0]!.metadata.selected = true;
  users.metadata.push({ breadcrumb: ['properties', 'emails'], metadata: { selected: false } });
  const [sel] = selectStreams(parseCatalog({ streams: [users] }, 'c.json'), 'c.json');
  assert.equal(sel!.fields?.has('emails'), false, 'the later "selected: false" wins over the discovered entry');
  users.metadata.push({ breadcrumb: ['properties', 'emails'], metadata: { selected: true } });
  const [again] = selectStreams(parseCatalog({ streams: [users] }, 'c.json'), 'c.json');
  assert.equal(again!.fields, undefined, 'and a still later one wins over that');
});
