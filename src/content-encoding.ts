/**
 * Compressed response bodies, decoded strictly. A lenient decoder (zlib's Z_SYNC_FLUSH, as
 * node-fetch decodes) hands back whatever a cut gzip stream holds, so a body a proxy cut short
 * comes out as truncated JSON and is blamed on the server; here a body that does not decode
 * whole is an error that says so. zlib runs on libuv's thread pool, off the event loop.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';

/** What the tap accepts: what a reverse proxy with compression on (or Meteor's webapp) may send. */
export const ACCEPT_ENCODING = 'gzip, deflate, br';

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);
const brotli = promisify(zlib.brotliDecompress);

export class UndecodableBody extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
    this.name = 'UndecodableBody';
  }
}

/** The body as the server meant it; `encoding` is the Content-Encoding header. */
export async function decodeBody(body: Buffer, encoding: string | null): Promise<Buffer> {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') return body;
  try {
    switch (name) {
      case 'gzip':
      case 'x-gzip':
        return await gunzip(body);
      case 'deflate':
        // Zlib-wrapped by the standard, raw from some servers: the header byte tells.
        return await ((body[0]! & 0x0f) === 0x08 ? inflate(body) : inflateRaw(body));
      case 'br':
        return await brotli(body);
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new UndecodableBody(`${body.length} bytes of ${name} did not decode${code ? ` (${code})` : ''}`, code);
  }
  throw new UndecodableBody(`the body is encoded as ${JSON.stringify(encoding)}, which the tap did not ask for and cannot decode`, undefined);
}
