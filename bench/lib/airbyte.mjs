/**
 * The Airbyte connector `airbyte-source-rocket-chat==0.1.13` (PyPI) in a virtualenv at
 * .venv-bench/ (git-ignored), and its configured catalog.
 *
 * 0.1.13 pins airbyte-cdk==1.0.0 and declares Python >=3.9,<3.12. That CDK does not import on
 * Python 3.11 (dataclasses reject its unhashable `JsonDecoder(...)` field default with
 * "ValueError: mutable default ... is not allowed", a check Python 3.11 tightened), so the
 * interpreters are tried in order, 3.11 first, and the first whose `spec` works is kept. What
 * happened to each is recorded in .venv-bench/bench-python.json and shown in the report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './proc.mjs';

export const AIRBYTE_PACKAGE = 'airbyte-source-rocket-chat==0.1.13';
const CANDIDATES = ['3.11', '3.10', '3.9'];

/** Interpreters for Python `minor` (e.g. '3.10'): on PATH, then pyenv's versions (their shims may hide them). */
function interpreters(minor) {
  const found = [`python${minor}`];
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  try {
    for (const v of readdirSync(join(pyenvRoot, 'versions')).sort().reverse()) {
      if (v === minor || v.startsWith(`${minor}.`)) found.push(join(pyenvRoot, 'versions', v, 'bin', `python${minor}`));
    }
  } catch {
    /* no pyenv */
  }
  return found;
}

function resolvePython(minor) {
  for (const py of interpreters(minor)) {
    const probe = spawnSync(py, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' });
    if (probe.status === 0 && !probe.error) return { py, version: probe.stdout.trim() };
  }
  return undefined;
}

function lastLines(text, n = 3) {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^WARNING: Location 'file:/.test(l) && !/^DEPRECATION:/.test(l))
    .slice(-n)
    .join(' | ');
}

async function specWorks(bin) {
  if (!existsSync(bin)) return { ok: false, why: `${bin} missing` };
  const r = await run(bin, ['spec']);
  if (r.code === 0 && r.stdout.includes('"SPEC"')) return { ok: true };
  return { ok: false, why: `\`source-rocket-chat spec\` exited ${r.code}: ${lastLines(r.stderr || r.stdout, 1)}` };
}

/**
 * Installs (or reuses) the connector. Returns {bin, python, attempts} or {error, attempts}.
 * @param {string} root repository root
 * @param {(line: string) => void} log
 */
export async function ensureAirbyte(root, log) {
  const venv = join(root, '.venv-bench');
  const bin = join(venv, 'bin', 'source-rocket-chat');
  const marker = join(venv, 'bench-python.json');
  if (existsSync(marker)) {
    try {
      const saved = JSON.parse(readFileSync(marker, 'utf8'));
      if (saved.package === AIRBYTE_PACKAGE && (await specWorks(bin)).ok) {
        log(`airbyte: reusing ${venv} (${saved.python})`);
        return { bin, python: saved.python, attempts: saved.attempts, reused: true };
      }
    } catch {
      /* reinstall */
    }
  }
  const attempts = [];
  for (const minor of CANDIDATES) {
    const found = resolvePython(minor);
    if (!found) {
      attempts.push({ python: `python${minor}`, ok: false, why: 'not found (PATH, pyenv)' });
      continue;
    }
    const { py } = found;
    const version = `Python ${found.version}`;
    log(`airbyte: installing ${AIRBYTE_PACKAGE} into ${venv} with ${version}`);
    rmSync(venv, { recursive: true, force: true });
    const started = performance.now();
    const mk = await run(py, ['-m', 'venv', venv]);
    if (mk.code !== 0) {
      attempts.push({ python: version, ok: false, why: `venv failed: ${lastLines(mk.stderr)}` });
      continue;
    }
    const pip = await run(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', AIRBYTE_PACKAGE]);
    if (pip.code !== 0) {
      attempts.push({ python: version, ok: false, why: `pip install failed: ${lastLines(pip.stderr)}` });
      continue;
    }
    const spec = await specWorks(bin);
    const installSeconds = Math.round((performance.now() - started) / 100) / 10;
    if (!spec.ok) {
      attempts.push({ python: version, ok: false, why: `installed, but ${spec.why}` });
      log(`airbyte: ${version} does not work: ${spec.why}`);
      continue;
    }
    attempts.push({ python: version, ok: true, installSeconds });
    writeFileSync(marker, `${JSON.stringify({ package: AIRBYTE_PACKAGE, python: version, attempts }, null, 2)}\n`);
    return { bin, python: version, attempts };
  }
  rmSync(venv, { recursive: true, force: true });
  return { error: attempts.map((a) => `${a.python}: ${a.why}`).join('; '), attempts };
}

/** A configured catalog (full refresh, overwrite) for `streams`, from the connector's own discover. */
export async function airbyteCatalog(bin, configPath, streams, cwd) {
  const r = await run(bin, ['discover', '--config', configPath], { cwd });
  const line = r.stdout.split('\n').find((l) => l.includes('"CATALOG"'));
  if (!line) throw new Error(`source-rocket-chat discover gave no catalog (exit ${r.code}): ${lastLines(r.stderr || r.stdout)}`);
  const catalog = JSON.parse(line).catalog;
  const chosen = catalog.streams.filter((s) => streams.includes(s.name));
  if (chosen.length !== streams.length) throw new Error(`source-rocket-chat discover lacks some of ${streams.join(', ')}`);
  return { streams: chosen.map((stream) => ({ stream, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })) };
}
