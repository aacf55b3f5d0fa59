/**
 * The bundled Rocket.Chat emulator as a separate process (dist/emulator/cli.js), and its control
 * routes: stats, latency, rate limiter.
 */
import { spawnWithJsonLine } from './proc.mjs';

export class EmulatorProcess {
  /** @param {string} root repository root @param {string[]} args emulator CLI flags */
  static async start(root, args) {
    const started = performance.now();
    const { child, json } = await spawnWithJsonLine(process.execPath, ['dist/emulator/cli.js', '--port', '0', '--quiet', ...args], {
      cwd: root,
      timeoutMs: 300_000,
    });
    const emu = new EmulatorProcess(child, json, args);
    emu.startupMs = performance.now() - started;
    return emu;
  }

  constructor(child, info, args) {
    this.child = child;
    this.url = info.url;
    this.identities = info.identities;
    this.args = args;
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  /** Tap config for an identity. */
  config(identity) {
    const who = this.identities[identity];
    if (!who) throw new Error(`emulator has no identity ${identity}`);
    return { endpoint: this.url, user_id: who.userId, token: who.token };
  }

  async control(method, path, body) {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return res.json();
  }

  stats() {
    return this.control('GET', '/_emulator/stats');
  }

  setLatency(ms) {
    return this.control('POST', '/_emulator/latency', { ms });
  }

  /** Restarts every route's window now, so a run starts at the beginning of a fresh window. */
  resetRateLimit() {
    return this.control('POST', '/_emulator/rate-limit', { reset: true });
  }

  async stop() {
    if (this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timeout = new Promise((resolve) => setTimeout(resolve, 5000, 'timeout'));
    if ((await Promise.race([this.exited, timeout])) === 'timeout') this.child.kill('SIGKILL');
  }
}

/**
 * What happened between two stats snapshots: requests, 429s (limiter and faults), and per route
 * the number of requests and of 200 answers.
 */
export function statsDiff(before, after) {
  const byRoute = {};
  for (const [route, s] of Object.entries(after.byRoute)) {
    const b = before.byRoute[route] ?? { requests: 0, statuses: {} };
    const requests = s.requests - b.requests;
    if (requests === 0) continue;
    const ok = (s.statuses['200'] ?? 0) - (b.statuses['200'] ?? 0);
    const r429 = (s.statuses['429'] ?? 0) - (b.statuses['429'] ?? 0);
    byRoute[route] = { requests, ok, rateLimited: r429 };
  }
  return {
    requests: after.requests - before.requests,
    rateLimited: after.rateLimited - before.rateLimited + (after.fault429s - before.fault429s),
    byRoute,
  };
}
