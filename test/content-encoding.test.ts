import { test } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { decodeBody, UndecodableBody } from '../src/content-encoding.js';

const body = Buffer.from(JSON.stringify({ users: Array.from({ length: 200 }, (_, i) => ({ _id: `u${i}`, name: `Zoë ${i} 😀` })) }));

test('every encoding the tap asks for decodes to the same bytes', async () => {
  assert.equal(await decodeBody(body, null), body, 'no header: as received');
  assert.equal(await decodeBody(body, 'identity'), body);
  assert.deepEqual(await decodeBody(zlib.gzipSync(body), 'gzip'), body);
  assert.deepEqual(await decodeBody(zlib.gzipSync(body), ' GZIP '), body);
  assert.deepEqual(await decodeBody(zlib.deflateSync(body), 'deflate'), body, 'zlib-wrapped, as the standard says');
  assert.deepEqual(await decodeBody(zlib.deflateRawSync(body), 'deflate'), body, 'raw, as some servers send it');
  assert.deepEqual(await decodeBody(zlib.brotliCompressSync(body), 'br'), body);
});

test('a compressed body cut short is an error with zlib\'s code, never a shorter body', async () => {
  const gz = zlib.gzipSync(body);
  for (const [encoded, encoding] of [[gz, 'gzip'], [zlib.brotliCompressSync(body), 'br'], [zlib.deflateSync(body), 'deflate']] as const) {
    const cut = encoded.subarray(0, Math.floor(encoded.length / 2));
    await assert.rejects(decodeBody(cut, encoding), (err: unknown) => err instanceof UndecodableBody && err.code !== undefined && err.message.startsWith(`${cut.length} bytes of ${encoding} did not decode (`), encoding);
  }
});

test('an encoding the tap did not ask for is named', async () => {
  await assert.rejects(decodeBody(body, 'zstd'), (err: unknown) => err instanceof UndecodableBody && err.code === undefined && /encoded as "zstd"/.test(err.message));
});
