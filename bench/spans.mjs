#!/usr/bin/env node
/**
 * The record path's pieces on real chat.syncMessages pages, in MB/s of response body: finding
 * the records' byte spans (src/json-spans.ts), decoding the body, JSON.parse, and what copying
 * spans saves (JSON.stringify and encoding each record again). One run, ratios to read, not
 * capacities. Run after `npm run build`:  node bench/spans.mjs [--messages 100000] [--rounds 5]
 */
import { parseArgs } from 'node:util';
import { startEmulator } from '../dist/emulator/index.js';
import { arraySpans } from '../dist/src/json-spans.js';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' } } });
const emu = await startEmulator({ rateLimit: false, data: { messages: Number(values.messages) } });
const admin = emu.identities.admin;
const headers = { 'X-User-Id': admin.userId, 'X-Auth-Token': admin.token };
const get = async (path) => Buffer.from(await (await fetch(`${emu.url}${path}`, { headers })).arrayBuffer());
const rooms = JSON.parse((await get('/api/v1/rooms.get')).toString()).update;
const bodies = [];
for (const room of rooms.slice(0, 60)) {
  const body = await get(`/api/v1/chat.syncMessages?roomId=${room._id}&type=UPDATED&next=0&count=1000`);
  if (body.length > 50_000) bodies.push(body);
}
await emu.close();
const total = bodies.reduce((sum, b) => sum + b.length, 0);
const out = Buffer.allocUnsafe(1 << 20);

/** Best MB/s over the rounds (the least disturbed by other work on the machine). */
function rate(fn) {
  let best = 0;
  for (let r = 0; r < Number(values.rounds); r++) {
    const started = process.hrtime.bigint();
    for (const body of bodies) fn(body);
    best = Math.max(best, total / 1e6 / (Number(process.hrtime.bigint() - started) / 1e9));
  }
  return best;
}

const parsed = new Map(bodies.map((b) => [b, JSON.parse(b.toString('utf8')).result.updated]));
const rows = {
  'arraySpans (find each record\'s bytes)': rate((b) => arraySpans(b, ['result', 'updated'])),
  'toString (UTF-8 decode)': rate((b) => b.toString('utf8')),
  'toString + JSON.parse': rate((b) => JSON.parse(b.toString('utf8'))),
  'JSON.stringify + encode each record (what copying spans avoids)': rate((b) => {
    for (const m of parsed.get(b)) out.write(JSON.stringify(m), 0, 'utf8');
  }),
};
const parse = rows['toString + JSON.parse'];
process.stdout.write(`${bodies.length} pages, ${(total / 1e6).toFixed(1)} MB of chat.syncMessages bodies\n\n| step | MB/s | time relative to toString + JSON.parse |\n|---|---:|---:|\n`);
for (const [name, mbs] of Object.entries(rows)) process.stdout.write(`| ${name} | ${mbs.toFixed(0)} | ${(parse / mbs).toFixed(2)}× |\n`);
