/**
 * The tap behind a rate-limiting reverse proxy (docs/rocketchat-api-notes.md#rate-limiting): the
 * proxy limits every caller, the admin too, across all routes, and answers an HTML 429 with
 * Retry-After and no X-RateLimit-* headers. The tap must wait as told and still finish exactly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Emulator, RequestLogEntry } from '../emulator/index.js';
import { configFor, emulator } from './support/emulator.js';
import { catalogOf, runTap } from './support/run-tap.js';
import { assertExactStreams, assertValidAgainstSchemas } from './support/singer.js';

const STREAMS = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'] as const;
const key = (e: RequestLogEntry): string => `${e.path}?${new URLSearchParams(e.query).toString()}`;

describe('behind a rate-limiting proxy', () => {
  let emu: Emulator;
  before(async () => {
    emu = await emulator({ data: { users: 700, seed: 13 }, proxy: { calls: 4, windowMs: 1000 } });
  });
  after(() => emu.close());

  test('admin token: waits per Retry-After, exact records, no 429 storm', async () => {
    const run = await runTap(['--config', configFor(emu, 'admin', { page_size: 50, max_concurrency: 4 }), '--catalog', catalogOf(STREAMS)]);
    assert.equal(run.code, 0, run.stderr);
    assertExactStreams(run.messages, emu, 'admin', STREAMS);
    assertValidAgainstSchemas(run.messages);

    const log = emu.requests;
    const limited = log.filter((e) => e.proxy);
    assert.ok(limited.length > 0, 'the proxy did limit the run');
    assert.equal(emu.stats().rateLimited, 0, 'the admin bypasses the server\'s own limiter');
    const answered = log.filter((e) => e.status === 200).length;
    assert.ok(limited.length <= answered, `no storm: ${limited.length} 429s for ${answered} answers`);
    for (const e of limited) {
      // Retry-After is at least 1 s here; the retry of the same request must not come sooner.
      const retry = log.find((x) => x.time > e.time && key(x) === key(e));
      assert.ok(retry, `${key(e)} was retried`);
      assert.ok(retry.time - e.time >= 990, `${key(e)} retried after ${retry.time - e.time} ms, before Retry-After`);
    }
    const perRequest = new Map<string, number>();
    for (const e of limited) perRequest.set(key(e), (perRequest.get(key(e)) ?? 0) + 1);
    assert.ok(Math.max(...perRequest.values()) <= 4, `no request was refused again and again: ${JSON.stringify([...perRequest])}`);
    assert.match(run.stderr, /429/, 'the waits are logged');
  });
});
