/**
 * Response writing shared by the server and the fault injector: the headers Rocket.Chat's router
 * sets on every JSON answer, and a JSON writer that streams very large record arrays in chunks
 * (respecting backpressure) instead of building one giant string.
 */
import type { ServerResponse } from 'node:http';
import { RecordList, type Body } from './routes/common.js';

export const JSON_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'application/json',
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
};

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

/** Writes a JSON body. Resolves once everything has been handed to the socket. */
export async function sendJson(
  res: ServerResponse, status: number, body: Body, extraHeaders: Record<string, string> = {},
): Promise<void> {
  const headers = { ...JSON_HEADERS, ...extraHeaders };
  const key = bigArrayKey(body);
  if (key === undefined) {
    sendRaw(res, status, headers, JSON.stringify(body));
    return;
  }
  res.writeHead(status, headers);
  const write = (s: string): Promise<void> | undefined => {
    if (res.destroyed) return undefined;
    if (res.write(s)) return undefined;
    return new Promise((resolve) => {
      const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
      res.on('drain', done);
      res.on('close', done);
    });
  };
  const entries = Object.entries(body);
  let first = true;
  let out = '{';
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:`;
    first = false;
    if (k !== key) {
      out += JSON.stringify(v);
      continue;
    }
    const list = v as RecordList | unknown[];
    const n = list.length;
    const get = list instanceof RecordList ? list.get : (i: number) => (list as unknown[])[i];
    out += '[';
    for (let i = 0; i < n; i += CHUNK_RECORDS) {
      const parts: string[] = [];
      for (let j = i; j < Math.min(n, i + CHUNK_RECORDS); j++) parts.push(JSON.stringify(get(j)));
      out += (i === 0 ? '' : ',') + parts.join(',');
      const p = write(out);
      out = '';
      if (p) await p;
      if (res.destroyed) return;
    }
    out += ']';
  }
  out += '}';
  res.end(out);
}
