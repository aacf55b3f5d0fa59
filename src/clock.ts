/**
 * Time, injected. Everything that waits or compares against Rocket.Chat's reset times takes a
 * Clock, so timing tests run in milliseconds with a fake clock (test/support/fake-clock.ts)
 * instead of real minutes.
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (the unit of Rocket.Chat's X-RateLimit-Reset). */
  now(): number;
  /** Resolves after `ms`; rejects with the signal's reason if the signal aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
