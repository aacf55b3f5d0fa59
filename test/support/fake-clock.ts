/**
 * The test double for src/clock.ts: a virtual clock whose sleeps never wait, so timing tests of
 * the client and the rate-limit pacer run in milliseconds instead of real minutes.
 */
import type { Clock } from '../../src/clock.js';

/** A virtual clock for tests: sleeping never waits, it moves `now` forward. */
export interface FakeClock extends Clock {
  /** Every duration passed to sleep(), in call order. */
  readonly sleeps: number[];
  advance(ms: number): void;
}

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/**
 * Sleepers wake one at a time, earliest first, each on its own macrotask: the woken code's
 * promise chain (microtasks) runs to its next sleep before virtual time moves again, which makes
 * in-memory concurrency deterministic (a small discrete-event simulation).
 */
export function createFakeClock(startMs = Date.UTC(2024, 6, 16, 8, 0, 0)): FakeClock {
  let current = startMs;
  let seq = 0;
  let pumpScheduled = false;
  const timers: Timer[] = [];
  const sleeps: number[] = [];

  const pump = () => {
    pumpScheduled = false;
    if (timers.length === 0) return;
    let next = 0;
    for (let i = 1; i < timers.length; i++) {
      const t = timers[i]!;
      const best = timers[next]!;
      if (t.at < best.at || (t.at === best.at && t.seq < best.seq)) next = i;
    }
    const [timer] = timers.splice(next, 1);
    current = Math.max(current, timer!.at);
    timer!.resolve();
    schedule();
  };
  const schedule = () => {
    if (pumpScheduled || timers.length === 0) return;
    pumpScheduled = true;
    setImmediate(pump);
  };

  return {
    sleeps,
    now: () => current,
    advance(ms) {
      current += ms;
    },
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const timer: Timer = {
          at: current + Math.max(0, ms),
          seq: seq++,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          const i = timers.indexOf(timer);
          if (i >= 0) timers.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        timers.push(timer);
        schedule();
      });
    },
  };
}
