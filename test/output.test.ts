import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { SingerWriter, recordPrefix, recordSuffix } from '../src/output.js';
import { DownstreamClosedError } from '../src/errors.js';

/** A reader that accepts a chunk only every few ms, with a tiny buffer: a slow target. */
function slowSink(highWaterMark = 1024) {
  const chunks: string[] = [];
  let maxBuffered = 0;
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      setTimeout(done, 1);
    },
  });
  const track = () => (maxBuffered = Math.max(maxBuffered, sink.writableLength));
  return { sink, chunks, track, get maxBuffered() { return maxBuffered; } };
}

test('messages come out in call order, one JSON object per line', async () => {
  const { sink, chunks } = slowSink();
  const writer = new SingerWriter(sink);
  await writer.schema('users', { type: 'object' }, ['_id']);
  const suffix = recordSuffix('2024-01-01T00:00:00.000Z');
  for (let i = 0; i < 3; i++) await writer.record(recordPrefix('users'), { _id: `u${i}`, name: 'Zoë "quoted"' }, suffix);
  await writer.stateParts([JSON.stringify({ bookmarks: { users: {} } })]);
  await writer.end();
  const lines = chunks.join('').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.type), ['SCHEMA', 'RECORD', 'RECORD', 'RECORD', 'STATE']);
  assert.deepEqual(lines[1], { type: 'RECORD', stream: 'users', record: { _id: 'u0', name: 'Zoë "quoted"' }, time_extracted: '2024-01-01T00:00:00.000Z' });
});

test('a slow reader applies backpressure: buffered output stays bounded', async () => {
  const slow = slowSink(16 * 1024);
  const writer = new SingerWriter(slow.sink);
  const suffix = recordSuffix('2024-01-01T00:00:00.000Z');
  const record = { _id: 'x', payload: 'y'.repeat(600) };
  for (let i = 0; i < 3000; i++) {
    await writer.record(recordPrefix('users'), record, suffix);
    slow.track();
  }
  await writer.end();
  assert.equal(slow.chunks.join('').split('\n').length - 1, 3000);
  // Two ~64 KB chunks at most can be queued on top of the sink's own buffer.
  assert.ok(slow.maxBuffered < 3 * 64 * 1024, `buffered ${slow.maxBuffered} bytes`);
});

test('copied records: a promise only when a chunk went out, and awaiting those alone bounds the buffer', async () => {
  const slow = slowSink(16 * 1024);
  const writer = new SingerWriter(slow.sink);
  const prefix = Buffer.from(recordPrefix('messages'));
  const suffix = Buffer.from(recordSuffix('2024-01-01T00:00:00.000Z'));
  // 1,500-byte records do not fit the last KB of a chunk: makeRoom writes the chunk out first.
  const source = Buffer.from(JSON.stringify({ _id: 'm', msg: 'z'.repeat(1480) }));
  let promises = 0;
  for (let i = 0; i < 3000; i++) {
    const written = writer.recordBytes(prefix, source, 0, source.length, suffix);
    if (written) {
      promises++;
      await written;
    }
    slow.track();
  }
  await writer.end();
  assert.equal(slow.chunks.join('').split('\n').length - 1, 3000);
  assert.ok(promises > 0 && promises < 3000 / 10, `${promises} promises for 3000 records`);
  assert.ok(slow.maxBuffered < 3 * 64 * 1024, `buffered ${slow.maxBuffered} bytes`);
});

test('a closed downstream turns into DownstreamClosedError', async () => {
  const sink = new Writable({
    write(_chunk, _enc, done) {
      const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      done(err);
    },
  });
  const writer = new SingerWriter(sink);
  await assert.rejects(async () => {
    await writer.stateParts(['{}']);
    await writer.end();
  }, DownstreamClosedError);
});

test('waiting for drain leaves no listeners behind', async () => {
  const slow = slowSink(1024);
  const before = { drain: slow.sink.listenerCount('drain'), close: slow.sink.listenerCount('close'), error: slow.sink.listenerCount('error') };
  const writer = new SingerWriter(slow.sink);
  const suffix = recordSuffix('2024-01-01T00:00:00.000Z');
  for (let i = 0; i < 2000; i++) await writer.record(recordPrefix('users'), { _id: `u${i}`, pad: 'p'.repeat(200) }, suffix);
  await writer.end();
  assert.equal(slow.sink.listenerCount('drain'), before.drain);
  assert.equal(slow.sink.listenerCount('close'), before.close);
  assert.equal(slow.sink.listenerCount('error'), before.error + 1, 'only the writer\'s own error listener');
});

test('multi-byte text and messages larger than a chunk come out whole and in order', async () => {
  const { sink, chunks } = slowSink(64 * 1024);
  const writer = new SingerWriter(sink);
  const suffix = recordSuffix('2024-01-01T00:00:00.000Z');
  const big = { _id: 'big', text: '😀日本語é'.repeat(40_000) };
  const sent: Array<{ _id: string }> = [];
  for (let i = 0; i < 500; i++) {
    const record = i === 250 ? big : { _id: `r${i}`, name: `名前 ${i} — Zoë` };
    sent.push(record);
    await writer.record(recordPrefix('rooms'), record, suffix);
  }
  await writer.end();
  const lines = Buffer.concat(chunks.map((c) => Buffer.from(c))).toString('utf8').trimEnd().split('\n');
  assert.deepEqual(lines.map((l) => JSON.parse(l).record), sent);
});

test('records copied as encoded bytes are framed like stringified ones', async () => {
  const { sink, chunks } = slowSink(64 * 1024);
  const writer = new SingerWriter(sink);
  const suffix = recordSuffix('2024-01-01T00:00:00.000Z', 7);
  const body = Buffer.from('{"users":[{"_id":"a","name":"Zoë"},{"_id":"b"}]}');
  await writer.recordBytes(Buffer.from(recordPrefix('users')), body, 10, 35, Buffer.from(suffix)); // "ë" is two bytes
  await writer.record(recordPrefix('users'), { _id: 'b' }, suffix);
  await writer.end();
  const lines = Buffer.concat(chunks.map((c) => Buffer.from(c))).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines, [
    { type: 'RECORD', stream: 'users', record: { _id: 'a', name: 'Zoë' }, time_extracted: '2024-01-01T00:00:00.000Z', version: 7 },
    { type: 'RECORD', stream: 'users', record: { _id: 'b' }, time_extracted: '2024-01-01T00:00:00.000Z', version: 7 },
  ]);
});
