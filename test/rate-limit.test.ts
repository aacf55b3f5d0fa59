import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock, type FakeClock } from './support/fake-clock.js';
import { BudgetWaitTooLongError, RateLimitPacer } from '../src/rate-limit.js';

const WINDOW_MS = 60_000;
const PAD_MS = 250;
const LATENCY_MS = 100;

/** Rocket.Chat's limiter: fixed window per route, starting at the first call after the last reset. */
class FakeLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  readonly log: Array<{ route: string; at: number; status: number }> = [];
  constructor(private readonly clock: FakeClock, private readonly limit = 10, private readonly headers = true) {}

  serve(route: string): { status: number; headers: Headers } {
    const now = this.clock.now();
    let w = this.windows.get(route);
    if (!w || now - w.start > WINDOW_MS) this.windows.set(route, (w = { start: now, count: 0 }));
    w.count++;
    const status = w.count > this.limit ? 429 : 200;
    this.log.push({ route, at: now, status });
    const headers = new Headers(
      this.headers
        ? {
            'X-RateLimit-Limit': String(this.limit),
            'X-RateLimit-Remaining': String(Math.max(0, this.limit - w.count)),
            'X-RateLimit-Reset': String(w.start + WINDOW_MS),
          }
        : {},
    );
    return { status, headers };
  }
}

interface Harness {
  clock: FakeClock;
  pacer: RateLimitPacer;
  server: FakeLimiter;
  waits: Array<[string, number]>;
  inFlight: { now: number; max: number };
}

function harness(opts: { maxInFlight?: number; headers?: boolean; maxWaitMs?: number } = {}): Harness {
  const clock = createFakeClock();
  const waits: Array<[string, number]> = [];
  const pacer = new RateLimitPacer({
    clock,
    maxInFlight: opts.maxInFlight ?? 4,
    skewPadMs: PAD_MS,
    ...(opts.maxWaitMs !== undefined ? { maxWaitMs: opts.maxWaitMs } : {}),
    onWait: (route, ms) => waits.push([route, ms]),
  });
  return { clock, pacer, server: new FakeLimiter(clock, 10, opts.headers ?? true), waits, inFlight: { now: 0, max: 0 } };
}

/** `callers` workers share `total` requests on `route`; each request takes LATENCY_MS of virtual time. */
async function run(h: Harness, route: string, total: number, callers: number): Promise<number[]> {
  const issued: number[] = [];
  let claimed = 0;
  const worker = async () => {
    while (claimed < total) {
      claimed++;
      await h.pacer.acquire(route);
      issued.push(h.clock.now());
      h.inFlight.max = Math.max(h.inFlight.max, ++h.inFlight.now);
      const res = h.server.serve(route);
      await h.clock.sleep(LATENCY_MS);
      h.inFlight.now--;
      h.pacer.release(route, res.headers, res.status);
    }
  };
  await Promise.all(Array.from({ length: callers }, worker));
  return issued;
}

const rel = (times: number[], t0: number) => times.map((t) => t - t0);

describe('RateLimitPacer', () => {
  it('one caller: issues 10, waits exactly until reset + pad, issues 10, waits, issues 5', async () => {
    const h = harness();
    const t0 = h.clock.now();
    const issued = rel(await run(h, '/api/v1/users.list', 25, 1), t0);
    const win2 = WINDOW_MS + PAD_MS;
    const win3 = win2 + WINDOW_MS + PAD_MS;
    const expected = [
      ...Array.from({ length: 10 }, (_, i) => i * LATENCY_MS),
      ...Array.from({ length: 10 }, (_, i) => win2 + i * LATENCY_MS),
      ...Array.from({ length: 5 }, (_, i) => win3 + i * LATENCY_MS),
    ];
    assert.deepEqual(issued, expected);
    assert.deepEqual(h.server.log.filter((r) => r.status === 429), []);
    // Announced once per window; the 10th answer arrives at t0+1000.
    assert.deepEqual(h.waits, [
      ['/api/v1/users.list', win2 - 10 * LATENCY_MS],
      ['/api/v1/users.list', win3 - (win2 + 10 * LATENCY_MS)],
    ]);
  });

  it('four concurrent callers never exceed the budget and resume exactly at reset + pad', async () => {
    const h = harness();
    const t0 = h.clock.now();
    const issued = rel(await run(h, '/api/v1/users.list', 25, 4), t0);
    assert.equal(issued.length, 25);
    assert.deepEqual(h.server.log.filter((r) => r.status === 429), []);
    const win2 = WINDOW_MS + PAD_MS;
    const win3 = win2 + WINDOW_MS + PAD_MS;
    const first = issued.filter((t) => t < WINDOW_MS);
    const second = issued.filter((t) => t >= win2 && t < win3 - PAD_MS);
    const third = issued.filter((t) => t >= win3);
    assert.deepEqual([first.length, second.length, third.length], [10, 10, 5]);
    assert.equal(second[0], win2);
    assert.equal(third[0], win3);
    assert.equal(issued[1], LATENCY_MS, 'one probe first, the others after its answer');
    assert.ok(h.inFlight.max <= 4 && h.inFlight.max > 1);
    assert.equal(h.waits.length, 2);
  });

  it('routes have independent budgets', async () => {
    const h = harness();
    const t0 = h.clock.now();
    const [users, channels] = await Promise.all([
      run(h, '/api/v1/users.list', 15, 2),
      run(h, '/api/v1/channels.list', 15, 2),
    ]);
    for (const issued of [rel(users, t0), rel(channels, t0)]) {
      assert.equal(issued.filter((t) => t < WINDOW_MS).length, 10);
      assert.equal(issued.filter((t) => t >= WINDOW_MS + PAD_MS).length, 5);
      assert.equal(issued[0], 0, "a route does not wait for another route's reset");
    }
    assert.deepEqual(h.server.log.filter((r) => r.status === 429), []);
  });

  it('routes whose answers carry no rate-limit headers (bypass tokens) run unpaced after one probe', async () => {
    const h = harness({ headers: false });
    const t0 = h.clock.now();
    const issued = rel(await run(h, '/api/v1/users.list', 40, 4), t0);
    assert.deepEqual(issued.slice(0, 4), [0, LATENCY_MS, LATENCY_MS, LATENCY_MS]);
    assert.equal(h.inFlight.max, 4);
    assert.equal(Math.max(...issued) < 2_000, true);
    assert.deepEqual(h.waits, []);
    assert.equal(h.pacer.snapshot('/api/v1/users.list').mode, 'unlimited');
  });

  it('the global cap holds across routes', async () => {
    const h = harness({ maxInFlight: 2, headers: false });
    await Promise.all(['/a', '/b', '/c'].map((route) => run(h, route, 6, 3)));
    assert.equal(h.inFlight.max, 2);
    assert.equal(h.server.log.length, 18);
  });

  it('a failed probe (no answer) or a header-less 429/5xx does not mark the route unlimited', async () => {
    const h = harness();
    const route = '/api/v1/me';
    await h.pacer.acquire(route);
    h.pacer.release(route); // network failure
    assert.equal(h.pacer.snapshot(route).mode, 'unknown');
    await h.pacer.acquire(route);
    h.pacer.release(route, new Headers({ 'Retry-After': '5' }), 429);
    await h.pacer.acquire(route);
    h.pacer.release(route, new Headers(), 502);
    assert.deepEqual(h.pacer.snapshot(route), { mode: 'unknown', limit: 0, remaining: 0, resetAtMs: 0, inFlight: 0 });
  });

  it('answers out of order: same window keeps the minimum, a new window replaces, a stale one is ignored', async () => {
    const h = harness();
    const route = '/api/v1/teams.list';
    const reset = h.clock.now() + 60_000;
    const hdr = (remaining: number, resetAt: number) =>
      new Headers({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': String(remaining), 'X-RateLimit-Reset': String(resetAt) });
    const answer = async (remaining: number, resetAt: number) => {
      await h.pacer.acquire(route);
      h.pacer.release(route, hdr(remaining, resetAt));
    };
    await answer(5, reset);
    await answer(7, reset + 1); // older answer of the same window, 1 ms of server jitter
    assert.equal(h.pacer.snapshot(route).remaining, 5);
    await answer(9, reset + 60_300); // a new window
    assert.deepEqual({ ...h.pacer.snapshot(route) }, { mode: 'limited', limit: 10, remaining: 9, resetAtMs: reset + 60_300, inFlight: 0 });
    await answer(0, reset); // a late answer from the previous window
    assert.equal(h.pacer.snapshot(route).remaining, 9);
  });

  it('a wait longer than maxWaitMs rejects; an abort while waiting releases nothing', async () => {
    const h = harness({ maxWaitMs: 30_000 });
    const route = '/api/v1/users.list';
    await run(h, route, 10, 1);
    await assert.rejects(h.pacer.acquire(route), BudgetWaitTooLongError);

    const h2 = harness();
    await run(h2, route, 10, 1);
    const controller = new AbortController();
    const pending = h2.pacer.acquire(route, controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(pending, /stop/);
    assert.equal(h2.pacer.snapshot(route).inFlight, 0);
  });

  it('after the window passes with a zero limit and nothing in flight, one probe goes out', async () => {
    const h = harness();
    const route = '/x';
    await h.pacer.acquire(route);
    h.pacer.release(route, new Headers({ 'X-RateLimit-Limit': '0', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(h.clock.now() + 1000) }));
    await h.pacer.acquire(route); // sleeps to reset + pad, then probes instead of deadlocking
    assert.equal(h.clock.sleeps.at(-1), 1000 + PAD_MS);
    assert.equal(h.pacer.snapshot(route).inFlight, 1);
  });
});
