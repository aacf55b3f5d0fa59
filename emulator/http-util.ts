/**
 * Response writing shared by the server and the fault injector: the headers Rocket.Chat's router
 * sets on every JSON answer, and a JSON writer that streams very large record arrays in chunks
 * (respecting backpressure) instead of building one giant string.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { RecordList, type Body } from './routes/common.js';

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

/** The `compression` middleware's default threshold: smaller bodies go as they are. */
const GZIP_THRESHOLD = 1024;

export function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/i.test(req.headers['accept-encoding'] ?? '');
}

/** Bodies with more records than this are streamed with chunked transfer encoding. */
const STREAM_THRESHOLD = 5000;
const CHUNK_RECORDS = 1000;

export function sendRaw(
  res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer,
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': String(buf.length) });
  res.end(buf);
}

function bigArrayKey(body: Body): string | undefined {
  for (const [k, v] of Object.entries(body)) {
    if (v instanceof RecordList || (Array.isArray(v) && v.length > STREAM_THRESHOLD)) return k;
  }
  return undefined;
}

/** Writes a JSON body, gzipped when `gzip`. Resolves once everything has been handed to the socket. */
export async function sendJson(
  res: ServerResponse, status: number, body: Body, extraHeaders: Record<string, string> = {}, gzip = false,
): Promise<void> {
  const headers = { ...JSON_HEADERS, ...extraHeaders };
  const key = bigArrayKey(body);
  if (key === undefined) {
    const text = Buffer.from(JSON.stringify(body), 'utf8');
    if (gzip && text.length >= GZIP_THRESHOLD) sendRaw(res, status, { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' }, zlib.gzipSync(text));
    else sendRaw(res, status, headers, text);
    return;
  }
  res.writeHead(status, gzip ? { ...headers, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' } : headers);
  let out: Writable = res;
  if (gzip) {
    out = zlib.createGzip();
    out.pipe(res);
  }
  await streamBody(res, out, body, key);
}

/** The body's JSON into `out` (the response, or a gzip stream into it), the big array in chunks. */
async function streamBody(res: ServerResponse, out: Writable, body: Body, key: string): Promise<void> {
  const write = (s: string): Promise<void> | undefined => {
    if (res.destroyed) return undefined;
    if (out.write(s)) return undefined;
    return new Promise((resolve) => {
      const done = () => { out.off('drain', done); res.off('close', done); resolve(); };
      out.on('drain', done);
      res.on('close', done);
    });
  };
  let first = true;
  let text = '{';
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    text += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (k !== key) {
      text += JSON.stringify(v);
      continue;
    }
    const list = v as RecordList | unknown[];
    const n = list.length;
    const get = list instanceof RecordList ? list.get : (i: number) => (list as unknown[])[i];
    text += '[';
    for (let i = 0; i < n; i += CHUNK_RECORDS) {
      const parts: string[] = [];
      for (let j = i; j < Math.min(n, i + CHUNK_RECORDS); j++) parts.push(JSON.stringify(get(j)));
      text += (i === 0 ? '' : ',') + parts.join(',');
      const p = write(text);
      text = '';
      if (p) await p;
      if (res.destroyed) return;
    }
    text += ']';
  }
  out.end(`${text}}`);
}
