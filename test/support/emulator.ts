/**
 * The emulator for the end-to-end tests: started on a loopback port, stopped after use, and a
 * config file pointing the tap at it as one of its identities.
 */
import type { Emulator, EmulatorOptions, IdentityName } from '../../emulator/index.js';
import { startEmulator } from '../../emulator/index.js';
import { tempDir, writeJson } from './run-tap.js';

/** Messages in a test workspace unless a test asks for more: enough for every shape, cheap to serve. */
export const TEST_MESSAGES = 600;

/**
 * An emulator with the limiter off unless asked: most tests use the admin, bot or app token,
 * which bypass it, and tests of pacing set `rateLimit` themselves. It runs in the test's own
 * process, so its workspace has TEST_MESSAGES messages unless `data.messages` says otherwise:
 * rendering thousands per run in a dozen parallel runs would starve its event loop.
 */
export function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ rateLimit: false, ...options, data: { messages: TEST_MESSAGES, ...options.data } });
}

/** An emulator (see `emulator`) for `fn`, closed afterwards whatever `fn` does. */
export async function withEmulator<T>(options: EmulatorOptions, fn: (emu: Emulator) => Promise<T>): Promise<T> {
  const emu = await emulator(options);
  try {
    return await fn(emu);
  } finally {
    await emu.close();
  }
}

/**
 * A config file for `identity` on `emu`. Retries are fast and timeouts short, so a persistent
 * fault fails in seconds; `extra` overrides any key.
 */
export function configFor(emu: Emulator, identity: IdentityName = 'admin', extra: Record<string, unknown> = {}, dir = tempDir()): string {
  const who = emu.identities[identity];
  return writeJson(dir, 'config.json', {
    endpoint: emu.url,
    user_id: who.userId,
    token: who.token,
    retry_backoff: 0.01,
    request_timeout: 2,
    max_retries: 3,
    ...extra,
  });
}
