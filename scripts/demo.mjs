#!/usr/bin/env node
// Runs the tap against the bundled Rocket.Chat emulator: the Singer stream goes to stdout,
// logs and a summary to stderr. Extra arguments go to the tap (e.g. --discover, --catalog FILE).
// Builds first only when a source is newer than the build (`npm run build` empties dist/).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Newest modification time under `path` (a file or a directory tree), 0 if it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** The oldest of the demo's two entry points, or 0 when one is missing: the build's age. */
const built = Math.min(...['dist/src/cli.js', 'dist/emulator/cli.js'].map((f) => (existsSync(join(root, f)) ? statSync(join(root, f)).mtimeMs : 0)));
const sources = Math.max(...['src', 'emulator', 'schemas', 'tsconfig.json', 'package.json'].map((p) => newest(join(root, p))));
if (built === 0 || sources > built) {
  process.stderr.write('demo: sources changed since the last build: npm run build\n');
  // The build's own output goes to stderr: stdout is the Singer stream.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
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
process.stderr.write(`demo: emulator at ${url}, running tap-rocketchat with the token of the emulator's "${identity}" identity\n`);

const tap = spawn(process.execPath, [join(root, 'dist/src/cli.js'), '--config', config, ...process.argv.slice(2)], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
const code = await new Promise((resolve) => tap.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
stop();
process.exit(code);
