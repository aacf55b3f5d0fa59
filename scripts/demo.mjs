#!/usr/bin/env node
// Runs the tap against the bundled Rocket.Chat emulator: the Singer stream goes to stdout,
// logs and a summary to stderr. Extra arguments go to the tap (e.g. --discover, --catalog FILE).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const emulatorArgs = (process.env.DEMO_EMULATOR_ARGS ?? '').split(' ').filter(Boolean);
const emulator = spawn(process.execPath, [join(root, 'dist/emulator/cli.js'), '--port', '0', ...emulatorArgs], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const stop = () => emulator.kill('SIGTERM');
process.on('exit', stop);

const first = await new Promise((resolve, reject) => {
  createInterface({ input: emulator.stdout }).once('line', resolve);
  emulator.once('exit', (code) => reject(new Error(`emulator exited with code ${code}`)));
});
const { url, identities } = JSON.parse(first);
const identity = process.env.DEMO_IDENTITY ?? 'admin';
const dir = mkdtempSync(join(tmpdir(), 'tap-rocketchat-demo-'));
const config = join(dir, 'config.json');
writeFileSync(config, JSON.stringify({ endpoint: url, user_id: identities[identity].userId, token: identities[identity].token }));
process.stderr.write(`demo: emulator at ${url}, running tap-rocketchat as the ${identity} user\n`);

const tap = spawn(process.execPath, [join(root, 'dist/src/cli.js'), '--config', config, ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const code = await new Promise((resolve) => tap.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
stop();
process.exit(code);
