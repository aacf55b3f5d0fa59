/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by area (the tap's own
 * files, each npm package, Node internals, GC), and inclusive time of the tap's own functions.
 */
import { readFileSync } from 'node:fs';

function area(url, functionName) {
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(idle)') return 'idle (waiting for I/O)';
    if (functionName === '(program)') return 'V8/native (program)';
    return `native ${functionName || '(anonymous)'}`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm: ${nm[1]}`;
  const tap = /\/dist\/(src|emulator)\/(.+?)\.js$/.exec(url);
  if (tap) return `tap: ${tap[1]}/${tap[2]}.ts`;
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, '').split('/').slice(0, 2).join('/');
    return `node: ${mod}`;
  }
  return url;
}

function shortUrl(url) {
  if (!url) return '';
  const nm = /node_modules\/(.+)$/.exec(url);
  if (nm) return nm[1];
  const d = /\/(dist\/.+)$/.exec(url);
  if (d) return d[1];
  return url.replace(/^file:\/\//, '');
}

export function summariseProfile(path, top = 15) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map();
  const parent = new Map();
  for (const n of prof.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const keyOf = (n) => {
    const cf = n.callFrame;
    const where = shortUrl(cf.url);
    return `${cf.functionName || '(anonymous)'}${where ? ` ${where}:${cf.lineNumber + 1}` : ''}`;
  };
  const self = new Map();
  const areas = new Map();
  const inclusive = new Map();
  let total = 0;
  // timeDeltas[i] is the time before sample i; attribute the following interval to sample i.
  const { samples, timeDeltas } = prof;
  for (let i = 0; i < samples.length; i++) {
    const dt = (timeDeltas[i + 1] ?? 0) / 1000; // ms
    if (dt <= 0) continue;
    const node = byId.get(samples[i]);
    if (!node) continue;
    total += dt;
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + dt);
    const a = area(node.callFrame.url, node.callFrame.functionName);
    areas.set(a, (areas.get(a) ?? 0) + dt);
    // Inclusive: every distinct tap function on the stack.
    const seen = new Set();
    for (let id = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id);
      if (!/\/dist\/src\//.test(n.callFrame.url)) continue;
      const k = keyOf(n);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const rank = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: total ? (100 * ms) / total : 0 }));
  const idle = areas.get('idle (waiting for I/O)') ?? 0;
  return {
    totalMs: Math.round(total),
    busyMs: Math.round(total - idle),
    selfTop: rank(self),
    areas: rank(areas),
    tapInclusive: rank(inclusive),
  };
}
