import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Emulator, IdentityName } from '../../emulator/index.js';
import { runTap, tempDir, writeJson, type RunOptions, type SingerMessage, type TapRun } from './run-tap.js';

export const STREAM_NAMES = ['teams', 'rooms', 'channels', 'roles', 'subscriptions', 'users'] as const;

/** A config file for `identity` on `emu`; retries kept fast for tests. */
export function configFor(emu: Emulator, identity: IdentityName, extra: Record<string, unknown> = {}, dir = tempDir()): string {
  const who = emu.identities[identity];
  return writeJson(dir, 'config.json', { endpoint: emu.url, user_id: who.userId, token: who.token, retry_backoff: 0.01, ...extra });
}

/**
 * Runs the built CLI and checks what every run must satisfy whatever it does: no token in any
 * output, stdout made only of Singer messages.
 */
export async function runChecked(emu: Emulator, identity: IdentityName, args: string[], options: RunOptions = {}): Promise<TapRun> {
  const run = await runTap(args, options);
  const token = emu.identities[identity].token;
  assert.ok(!run.stdout.includes(token), 'the token must not appear on stdout');
  assert.ok(!run.stderr.includes(token), 'the token must not appear on stderr');
  return run;
}

/** Every RECORD validates against the SCHEMA its stream announced before it. */
export function assertValidAgainstSchemas(messages: readonly SingerMessage[]): void {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  ajvFormats.default(ajv);
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const m of messages) {
    if (m.type === 'SCHEMA') validators.set(m.stream!, ajv.compile(m.schema!));
    if (m.type === 'RECORD') {
      const validate = validators.get(m.stream!);
      assert.ok(validate, `RECORD of ${m.stream} before its SCHEMA`);
      assert.ok(validate(m.record), `${m.stream} record ${m.record?._id} invalid: ${ajv.errorsText(validate.errors)}`);
    }
  }
}

export function idsOf(records: ReadonlyArray<Record<string, unknown>>): string[] {
  return records.map((r) => r._id as string).sort();
}

/** Same ids, each exactly once. */
export function assertSameIds(actual: ReadonlyArray<Record<string, unknown>>, expected: ReadonlyArray<Record<string, unknown>>, what: string): void {
  const ids = idsOf(actual);
  assert.equal(new Set(ids).size, ids.length, `${what}: duplicate records`);
  assert.deepEqual(ids, idsOf(expected), `${what}: records differ from the emulator's data`);
}
