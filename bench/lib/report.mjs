/**
 * Renders the results of bench/run.mjs: docs/benchmarks.md (tables, targets) and
 * docs/benchmarks.svg (time per scenario for the tap, the floor and Airbyte; log scale).
 * Every number comes from the results object; nothing is asserted here.
 */

const secs = (ms) => (ms === undefined || Number.isNaN(ms) ? '—' : ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
const milli = (ms) => (ms === undefined ? '—' : `${Math.round(ms)} ms`);
const mib = (kb) => (kb ? `${(kb / 1024).toFixed(1)} MiB` : '—');
const int = (n) => (n === undefined || n === null ? '—' : Number(n).toLocaleString('en'));
const ratio = (a, b) => (a && b ? a / b : undefined);
const x = (r, digits = 2) => (r === undefined ? '—' : `${r.toFixed(digits)}×`);
const rate = (records, ms) => (records && ms ? Math.round(records / (ms / 1000)).toLocaleString('en') : '—');
const failed = (r) => !r || r.error;
const cpu = (a, b) => (a && b ? `${(a / 1000).toFixed(2)} s / ${(b / 1000).toFixed(2)} s = ${(a / b).toFixed(2)}×` : '—');
const esc = (s) => String(s).replace(/\|/g, '\\|');

function byScenario(results) {
  return results.scenarios.filter((s) => !s.error && s.tap);
}

/** Median over rounds of tap run / floor run of the same round. */
function pairedMedian(s) {
  const paired = s.tapRuns.map((r, i) => ratio(r.wallMs, s.floorRuns[i]?.wallMs)).filter((r) => r !== undefined).sort((a, b) => a - b);
  return paired[Math.floor((paired.length - 1) / 2)];
}

/** The target checks, each {target, measured, verdict}. */
export function evaluateTargets(results) {
  const out = [];
  const ok = (b) => (b === undefined ? 'not measured' : b ? 'met' : '**missed**');
  const scen = byScenario(results);
  const admin100k = scen.find((s) => s.group === 'admin' && s.users === 100_000 && !s.latencyMs && !s.textHeavy && s.streams.length === 1);
  if (admin100k && !failed(admin100k.tap) && !failed(admin100k.floor)) {
    const r = ratio(admin100k.tap.wallMs, admin100k.floor.wallMs);
    out.push({ target: 'admin token, 100k users: tap time ≤ 1.25 × floor', measured: `${secs(admin100k.tap.wallMs)} vs ${secs(admin100k.floor.wallMs)} = ${x(r)}`, verdict: ok(r <= 1.25) });
  } else out.push({ target: 'admin token, 100k users: tap time ≤ 1.25 × floor', measured: 'not run', verdict: 'not measured' });

  const text = scen.find((s) => s.textHeavy);
  const textTarget = 'users with long names, escapes and non-ASCII text: tap time ≤ 1.5 × floor';
  if (text && !failed(text.tap) && !failed(text.floor)) {
    const r = ratio(text.tap.wallMs, text.floor.wallMs);
    out.push({ target: textTarget, measured: `${text.id}: ${secs(text.tap.wallMs)} vs ${secs(text.floor.wallMs)} = ${x(r)} (CPU ${x(ratio(text.tap.cpuMs, text.floor.cpuMs))})`, verdict: ok(r <= 1.5) });
  } else out.push({ target: textTarget, measured: 'not run', verdict: 'not measured' });

  for (const s of scen.filter((s) => s.group === 'limited')) {
    if (failed(s.tap) || !s.bound?.ms) {
      out.push({ target: `${s.id}: within 10 % of the bound, zero 429s`, measured: s.tap?.error ?? 'no bound', verdict: 'not measured' });
      continue;
    }
    const r = ratio(s.tap.wallMs, s.bound.ms);
    out.push({
      target: `${s.id}: total time within 10 % of the bound, zero 429s`,
      measured: `${secs(s.tap.wallMs)} vs bound ${secs(s.bound.ms)} = ${x(r, 3)}; ${s.tap.rateLimited} 429s`,
      verdict: ok(r <= 1.1 && s.tap.rateLimited === 0),
    });
  }

  const oneM = scen.find((s) => s.users === 1_000_000 && s.group === 'admin');
  const hundredK = scen.find((s) => s.users === 100_000 && s.group === 'admin' && !s.latencyMs && s.streams.length === 1);
  if (oneM && hundredK && oneM.tap.peakRssKb && hundredK.tap.peakRssKb) {
    const r = ratio(oneM.tap.peakRssKb, hundredK.tap.peakRssKb);
    out.push({
      target: 'peak RSS: 1M users ≤ 1.2 × the 100k figure, and under 150 MiB',
      measured: `${mib(oneM.tap.peakRssKb)} vs ${mib(hundredK.tap.peakRssKb)} = ${x(r)}`,
      verdict: ok(r <= 1.2 && oneM.tap.peakRssKb < 150 * 1024),
    });
  } else {
    out.push({ target: 'peak RSS: 1M users ≤ 1.2 × the 100k figure, and under 150 MiB', measured: oneM ? 'no RSS' : 'not run (use --with-1m)', verdict: 'not measured' });
  }

  for (const s of scen.filter((s) => s.group === 'airbyte')) {
    const limited = Boolean(s.rateLimit);
    const name = limited ? `vs Airbyte under rate limiting (${s.id}; reported, no target)` : `at least 20× faster than Airbyte, admin token (${s.id})`;
    if (failed(s.airbyte) || failed(s.tap)) {
      out.push({ target: name, measured: s.airbyte?.error ?? s.tap?.error ?? 'not run', verdict: 'not measured' });
      continue;
    }
    const r = ratio(s.airbyte.wallMs, s.tap.wallMs);
    out.push({ target: name, measured: `Airbyte ${secs(s.airbyte.wallMs)} / tap ${secs(s.tap.wallMs)} = ${x(r, 1)}`, verdict: limited ? 'reported' : ok(r >= 20) });
  }

  const msgs = scen.filter((s) => s.group === 'messages' && !failed(s.tap) && !failed(s.floor)).sort((a, b) => a.messages - b.messages);
  const bigM = msgs.at(-1);
  if (bigM) {
    const r = pairedMedian(bigM);
    out.push({
      target: `${bigM.id}: tap time ≤ 1.5 × floor (median of the paired runs)`,
      measured: `${x(r)} (medians ${secs(bigM.tap.wallMs)} vs ${secs(bigM.floor.wallMs)}; CPU ${x(ratio(bigM.tap.cpuMs, bigM.floor.cpuMs))}, which is not the target but what the tap owns)`,
      verdict: ok(r <= 1.5),
    });
  } else out.push({ target: 'admin messages: tap time ≤ 1.5 × floor', measured: 'not run', verdict: 'not measured' });
  const smallM = msgs.find((s) => s.messages === 100_000);
  const oneMM = msgs.find((s) => s.messages === 1_000_000);
  if (smallM && oneMM && smallM.tap.peakRssKb && oneMM.tap.peakRssKb) {
    const r = ratio(oneMM.tap.peakRssKb, smallM.tap.peakRssKb);
    out.push({
      target: 'messages, peak RSS: 1M messages ≤ 1.3 × the 100k figure, and under 200 MB',
      measured: `${mib(oneMM.tap.peakRssKb)} vs ${mib(smallM.tap.peakRssKb)} = ${x(r)}`,
      verdict: ok(r <= 1.3 && oneMM.tap.peakRssKb * 1024 < 200e6),
    });
  } else out.push({ target: 'messages, peak RSS: 1M messages ≤ 1.3 × the 100k figure, and under 200 MB', measured: 'not run (needs 100k and 1M)', verdict: 'not measured' });

  const ad = results.aboutDiscover;
  for (const [name, flag] of [['about', '--about'], ['discover', '--discover']]) {
    const m = ad?.[name];
    if (!m || m.error) out.push({ target: `\`${flag}\` under 0.3 s`, measured: m?.error ?? 'not run', verdict: 'not measured' });
    else out.push({ target: `\`${flag}\` under 0.3 s (median of ${m.runs})`, measured: milli(m.medianMs), verdict: ok(m.medianMs < 300) });
  }
  return out;
}

export function renderMarkdown(results, { svgName } = {}) {
  const m = results.machine;
  const L = [];
  const scen = byScenario(results);
  L.push('# Benchmarks', '');
  L.push(
    `Generated by \`npm run bench\` (\`bench/run.mjs\`) from one run that started ${results.startedAt} and ended ${results.finishedAt ?? '?'}. ` +
      'Every number below is a measurement from that run, written by the script; nothing here is edited by hand. ' +
      'Numbers from one run on a shared 2-core VM move by several per cent between runs: read ratios, not capacities.',
    '',
  );
  L.push('## How to run', '');
  L.push('```sh');
  L.push('npm ci');
  L.push('npm run bench                    # the default set (a few minutes); writes docs/benchmarks.md and docs/benchmarks.svg');
  L.push('npm run bench -- --quick         # smoke run, about 2 minutes (messages included); prints the tables, writes nothing');
  L.push('npm run bench -- --with-1m       # adds 1,000,000 users');
  L.push('npm run bench -- --profile       # adds a CPU profile of the tap (admin, users stream, largest size)');
  L.push('npm run bench -- --no-airbyte    # skips the Airbyte connector (it installs into .venv-bench/)');
  L.push('npm run bench -- --no-messages   # skips the messages scenarios (the 1M one takes several minutes)');
  L.push('npm run bench -- --help          # sizes, windows, --only, --repeat, --json');
  L.push('```', '');

  L.push('## Machine and code', '');
  L.push(`- Node.js ${m.node}; ${m.cores} cores (${m.cpuModel}); ${m.memGiB} GiB memory; ${m.os}.`);
  L.push(`- Code: commit \`${results.git?.commit ?? '?'}\`${results.git?.dirty ? ' **with uncommitted changes** in src/, emulator/, schemas/ or package files (other work in progress was measured too)' : ''}.`);
  L.push(`- Peak RSS: ${m.rssMethod}. CPU time: user + system of the measured process (from the same source).`);
  if (results.load) {
    const runLoads = results.scenarios.flatMap((s) => [...(s.tapRuns ?? []), ...(s.floorRuns ?? []), ...(s.airbyte?.load1 !== undefined ? [s.airbyte] : [])]).map((r) => r.load1).filter((v) => v !== undefined);
    const maxLoad = runLoads.length ? Math.max(...runLoads).toFixed(2) : '?';
    L.push(`- 1-minute load average: ${results.load.start?.[0] ?? '?'} at the start, ${results.load.end?.[0] ?? '?'} at the end, at most ${maxLoad} when a measured run started (the bench itself adds about 1–2 while it runs). Load from other jobs on the machine inflates wall times; CPU times are less affected.`);
  }
  L.push('- The emulator, the measured program and this script share the machine\'s cores.');
  if (results.quick) L.push('- **Quick run** (smaller sizes): not comparable with the default run.');
  L.push('');

  L.push('## What is measured', '');
  L.push('- **tap**: the built CLI, `node dist/src/cli.js --config C --catalog CAT` (default settings: `page_size` 100, `max_concurrency` 4), stdout into a pipe that the bench drains (counting lines, bytes and RECORD lines, storing nothing). Time is wall time from spawn to exit.');
  L.push('- **floor** (`bench/floor.mjs`): the same pages of the same routes (same `offset`, `count`, `sort`), `node:http` with a keep-alive agent, at most 4 requests in flight across streams, a paged route\'s first page alone and the rest in parallel once `total` is known; it only `JSON.parse`s the bodies. Under rate limiting it paces itself by the same fixed windows (its budget per route, then a wait until `X-RateLimit-Reset` + 1 ms). **tap / floor is the overhead the tap owns.** For messages it lists the rooms as the tap does (rooms.get, channels.list), then reads each room (4 at a time) in chat.syncMessages\' cursor mode with the tap\'s tie-safe walk and page size (`count` 1000), so it sends the same requests.');
  L.push(`- **Airbyte**: \`${'airbyte-source-rocket-chat==0.1.13'}\` from PyPI (\`source-rocket-chat read --config C --catalog CAT\`, full refresh, the same streams). Its page size is 1 (a request per record), so it runs on a smaller dataset, and the tap and floor run on that same dataset for the ratio.`);
  L.push('- **requests** and **429s** come from the emulator\'s `/_emulator/stats` (difference before/after each run). The emulator runs as a separate process (`dist/emulator/cli.js`); admin tokens are not rate limited, `user` is.');
  L.push(`- Before each scenario the emulator is warmed up: an unmeasured full read by the floor (unthrottled scenarios; the emulator's first full read is up to 2× slower), or one request per route (rate-limited ones).`);
  L.push(`- Unthrottled scenarios run tap and floor ${results.params.repeat} time(s), alternating which goes first, and report the run with the median tap time and the run with the median floor time; rate-limited, latency, 1M and Airbyte runs are single runs.`);
  L.push('- **bound** (rate-limited scenarios): the fastest finish that fixed windows allow. The limiter is reset just before each run, so a window opens at the start; per route, the first `limit` calls go at once and each further `limit` calls need one more window: bound = max over routes of (⌈calls / limit⌉ − 1) × window, with calls = the requests the floor needed on that route. The bound ignores the time of the requests themselves.');
  L.push('');

  L.push('## Results', '');
  L.push('| scenario | records | tap | floor | tap / floor | records/s (tap) | requests (tap / floor) | 429s (tap / floor) | peak RSS tap | peak RSS floor | CPU tap / floor |');
  L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of scen) {
    const t = s.tap;
    const f = s.floor;
    const tapCell = t.error ? `failed: ${esc(t.error)}` : secs(t.wallMs);
    L.push(
      `| ${esc(s.title)} | ${int(t.records)} | ${tapCell} | ${f.error ? 'failed' : secs(f.wallMs)} | ${x(ratio(t.wallMs, f.wallMs))} | ${rate(t.records, t.wallMs)} | ${int(t.requests)} / ${int(f.requests)} | ${int(t.rateLimited)} / ${int(f.rateLimited)} | ${mib(t.peakRssKb)} | ${mib(f.peakRssKb)} | ${cpu(t.cpuMs, f.cpuMs)} |`,
    );
  }
  for (const s of results.scenarios.filter((s) => s.error)) L.push(`| ${esc(s.title)} | scenario failed: ${esc(s.error)} | | | | | | | | | |`);
  L.push('');

  const ms = scen.filter((s) => s.group === 'messages');
  if (ms.length) {
    L.push('### Messages', '');
    L.push('Only the messages stream is selected (catalog from `--discover`, every other stream unselected). The dataset has the given number of messages over the emulator\'s rooms (GENERAL holds 40 %, the rest a heavy tail); the admin token reads the rooms it may: public channels, its own groups and DMs, discussions, the livechat rooms it serves.', '');
    L.push('Wall times here are bounded by the emulator, which renders every message on request and shares the 2 cores: tap and floor mostly wait for it, so read the CPU ratio as the overhead the tap owns. **tap / floor (paired)** divides each tap run by the floor run of the same round (they ran back to back, alternating which went first) and gives their median; the tap and floor columns are each their own median run.', '');
    L.push('| scenario | messages read | rooms read (requests) | tap | floor | tap / floor | tap / floor (paired) | CPU tap / floor | requests per 1,000 messages | peak RSS tap | runs |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of ms) {
      const t = s.tap;
      const f = s.floor;
      const sync = t.byRoute?.['/api/v1/chat.syncMessages']?.requests;
      const per = t.records ? ((t.requests / f.records) * 1000).toFixed(2) : '—';
      const walls = (runs) => runs.map((r) => (r.wallMs / 1000).toFixed(1)).join(', ');
      const paired = s.tapRuns.map((r, i) => ratio(r.wallMs, s.floorRuns[i]?.wallMs)).filter((r) => r !== undefined);
      const pairedCell = paired.length ? `${x(pairedMedian(s))} (${paired.map((r) => r.toFixed(2)).join(', ')})` : '—';
      L.push(`| ${esc(s.title)} | ${int(f.records)} | ${int(sync)} chat.syncMessages | ${secs(t.wallMs)} | ${secs(f.wallMs)} | ${x(ratio(t.wallMs, f.wallMs))} | ${pairedCell} | ${cpu(t.cpuMs, f.cpuMs)} | ${per} | ${mib(t.peakRssKb)} | tap ${walls(s.tapRuns)} s; floor ${walls(s.floorRuns)} s |`);
    }
    L.push('');
    const real = ms.filter((s) => s.realBudget);
    if (real.length) {
      L.push('The same datasets read with an ordinary (`user`) token at Rocket.Chat\'s default budget of 10 calls per 60 s per route, by arithmetic: the requests that token needs (counted on an unthrottled floor run as `user`) and the fixed-window bound they meet (as below: (⌈calls / 10⌉ − 1) × 60 s on the busiest route). The tap runs within 10 % of such a bound (rate-limited table below).', '');
      L.push('| dataset | messages the user token reads | calls per route | bound at 10 / 60 s |');
      L.push('|---|---:|---|---:|');
      for (const s of real) {
        const rb = s.realBudget;
        const calls = Object.entries(rb.calls ?? {}).map(([r, n]) => `${r.replace('/api/v1/', '')} ${int(n)}`).join(', ');
        const h = rb.ms / 3_600_000;
        L.push(`| ${int(s.messages)} messages | ${int(rb.records)} | ${calls} | ${(rb.ms / 60_000).toFixed(0)} min (${h.toFixed(1)} h) |`);
      }
      L.push('');
    }
  }

  const lim = scen.filter((s) => s.rateLimit && s.bound?.ms > 0);
  if (lim.length) {
    L.push('### Rate limited: time against the bound', '');
    L.push('| scenario | calls per route (floor) | bound | tap | tap / bound | 429s tap | floor | floor / bound | 429s floor |');
    L.push('|---|---|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of lim) {
      const calls = Object.entries(s.bound?.calls ?? {})
        .map(([r, n]) => `${r.replace('/api/v1/', '')} ${n}`)
        .join(', ');
      L.push(`| ${esc(s.title)} | ${calls} | ${secs(s.bound?.ms)} | ${secs(s.tap.wallMs)} | ${s.bound?.ms ? x(ratio(s.tap.wallMs, s.bound.ms), 3) : '—'} | ${int(s.tap.rateLimited)} | ${secs(s.floor.wallMs)} | ${s.bound?.ms ? x(ratio(s.floor.wallMs, s.bound.ms), 3) : '—'} | ${int(s.floor.rateLimited)} |`);
    }
    L.push('');
  }

  const ab = scen.filter((s) => s.airbyte);
  if (ab.length) {
    L.push('### Against the Airbyte connector', '');
    L.push('| scenario | records (tap / Airbyte) | tap | floor | Airbyte | Airbyte / tap | requests (tap / Airbyte) | 429s (tap / Airbyte) | peak RSS (tap / Airbyte) |');
    L.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of ab) {
      const a = s.airbyte;
      if (a.error && a.wallMs === undefined) {
        L.push(`| ${esc(s.title)} | ${int(s.tap.records)} / — | ${secs(s.tap.wallMs)} | ${secs(s.floor.wallMs)} | failed: ${esc(a.error)} | — | — | — | — |`);
        continue;
      }
      L.push(
        `| ${esc(s.title)} | ${int(s.tap.records)} / ${int(a.records)} | ${secs(s.tap.wallMs)} | ${secs(s.floor.wallMs)} | ${a.error ? `${secs(a.wallMs)} (${esc(a.error)})` : secs(a.wallMs)} | ${x(ratio(a.wallMs, s.tap.wallMs), 1)} | ${int(s.tap.requests)} / ${int(a.requests)} | ${int(s.tap.rateLimited)} / ${int(a.rateLimited)} | ${mib(s.tap.peakRssKb)} / ${mib(a.peakRssKb)} |`,
      );
    }
    L.push('');
    const inst = results.airbyteInstall;
    if (inst) {
      L.push(`Airbyte ran on ${inst.python ?? 'no Python (install failed)'} in \`.venv-bench/\`. Install attempts, in order:`, '');
      for (const a of inst.attempts ?? []) L.push(`- ${a.python}: ${a.ok ? `works${a.installSeconds ? ` (installed in ${a.installSeconds} s)` : ''}` : esc(a.why)}`);
      L.push('');
    }
  }

  const ad = results.aboutDiscover;
  if (ad) {
    L.push('### Start-up', '');
    L.push('| command | median | min | max | runs |');
    L.push('|---|---:|---:|---:|---:|');
    const row = (name, r) => L.push(r?.error ? `| ${name} | failed: ${esc(r.error)} | | | |` : `| ${name} | ${milli(r.medianMs)} | ${milli(r.minMs)} | ${milli(r.maxMs)} | ${r.runs} |`);
    row('`tap-rocketchat --about`', ad.about);
    row('`tap-rocketchat --config C --discover`', ad.discover);
    row('`node -e 0` (Node.js start-up alone, for reference)', ad.nodeStartup);
    L.push('');
  }

  L.push('## Targets', '');
  L.push('| target | measured | verdict |');
  L.push('|---|---|---|');
  for (const t of evaluateTargets(results)) L.push(`| ${esc(t.target)} | ${esc(t.measured)} | ${t.verdict} |`);
  L.push('');

  const p = results.profile;
  if (p) {
    L.push('## Where the tap spends its CPU', '');
    if (p.error) L.push(`Profile failed: ${p.error}`, '');
    else {
      L.push(`\`node --cpu-prof\` on the tap, admin token, users stream, ${int(p.users)} users (profiled run: ${secs(p.wallMs)} wall; ${int(p.totalMs)} ms sampled, of which ${int(p.busyMs)} ms busy). V8 samples the main thread on a wall-clock timer, so time the process spends descheduled (other processes on the cores) lands on whatever frame was running, often a native write: read the shares together with the CPU-time column above. Self time by area:`, '');
      L.push('| area | self ms | share |', '|---|---:|---:|');
      for (const a of p.areas) L.push(`| ${esc(a.name)} | ${int(a.ms)} | ${a.pct.toFixed(1)} % |`);
      L.push('', 'Top functions by self time:', '', '| function | self ms | share |', '|---|---:|---:|');
      for (const f of p.selfTop) L.push(`| \`${esc(f.name)}\` | ${int(f.ms)} | ${f.pct.toFixed(1)} % |`);
      L.push('', 'The tap\'s own functions by inclusive time (time with them on the stack):', '', '| function | inclusive ms | share |', '|---|---:|---:|');
      for (const f of p.tapInclusive) L.push(`| \`${esc(f.name)}\` | ${int(f.ms)} | ${f.pct.toFixed(1)} % |`);
      L.push('');
    }
  }

  if (svgName) L.push('## Chart', '', `![Time per scenario: tap, floor and Airbyte (log scale)](${svgName})`, '');
  return `${L.join('\n')}\n`;
}

/** Horizontal grouped bars, log-scale seconds: tap, floor and Airbyte per scenario. */
export function renderSvg(results) {
  const scen = byScenario(results);
  const series = [
    { key: 'tap', label: 'tap-rocketchat', color: '#2b6cb0' },
    { key: 'floor', label: 'floor (fetch + JSON.parse only)', color: '#a0aec0' },
    { key: 'airbyte', label: 'Airbyte source-rocket-chat 0.1.13', color: '#dd6b20' },
  ];
  const rows = scen.map((s) => ({
    title: s.title,
    bars: series.map((se) => ({ ...se, ms: s[se.key] && !(s[se.key].error && s[se.key].wallMs === undefined) ? s[se.key].wallMs : undefined })).filter((b) => b.ms !== undefined),
  }));
  const all = rows.flatMap((r) => r.bars.map((b) => b.ms));
  const minExp = Math.floor(Math.log10(Math.max(1, Math.min(...all, 100))));
  const maxExp = Math.ceil(Math.log10(Math.max(...all, 1000)));
  const W = 1000;
  const labelW = 430;
  const plotW = W - labelW - 90;
  const barH = 11;
  const top = 60;
  const rowGap = 14;
  const wrap = (title) => {
    const lines = [];
    let cur = '';
    for (const w of title.split(' ')) {
      if (`${cur} ${w}`.trim().length > 68) {
        lines.push(cur.trim());
        cur = w;
      } else cur += ` ${w}`;
    }
    if (cur.trim()) lines.push(cur.trim());
    return lines;
  };
  for (const r of rows) r.lines = wrap(r.title);
  const heights = rows.map((r) => Math.max(r.bars.length * (barH + 2), r.lines.length * 12) + rowGap);
  const H = top + heights.reduce((a, b) => a + b, 0) + 40;
  const xOf = (ms) => labelW + ((Math.log10(ms) - minExp) / (maxExp - minExp)) * plotW;
  const e = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="11">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="10" y="18" font-size="14" font-weight="bold">tap-rocketchat benchmark: wall time per scenario (log scale, shorter is better)</text>`);
  out.push(`<text x="10" y="34" fill="#555">${e(`measured ${results.startedAt.slice(0, 10)}, Node.js ${results.machine.node}, ${results.machine.cores} cores; one run of npm run bench`)}</text>`);
  let lx = labelW;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="42" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="51">${e(s.label)}</text>`);
    lx += 14 + s.label.length * 6 + 18;
  }
  const plotBottom = H - 30;
  for (let p = minExp; p <= maxExp; p++) {
    const xx = xOf(10 ** p);
    out.push(`<line x1="${xx}" y1="${top - 4}" x2="${xx}" y2="${plotBottom}" stroke="#e2e8f0"/>`);
    const lab = 10 ** p >= 1000 ? `${10 ** (p - 3)} s` : `${10 ** p} ms`;
    out.push(`<text x="${xx}" y="${plotBottom + 14}" text-anchor="middle" fill="#555">${lab}</text>`);
  }
  let y = top;
  rows.forEach((r, i) => {
    r.lines.forEach((ln, j) => out.push(`<text x="${labelW - 8}" y="${y + 10 + j * 12}" text-anchor="end">${e(ln)}</text>`));
    r.bars.forEach((b, j) => {
      const by = y + j * (barH + 2);
      const x0 = xOf(10 ** minExp);
      const w = Math.max(1, xOf(Math.max(b.ms, 10 ** minExp)) - x0);
      out.push(`<rect x="${x0}" y="${by}" width="${w.toFixed(1)}" height="${barH}" fill="${b.color}"/>`);
      out.push(`<text x="${(x0 + w + 4).toFixed(1)}" y="${by + barH - 2}" fill="#333">${e(b.ms < 10_000 ? `${(b.ms / 1000).toFixed(2)} s` : `${(b.ms / 1000).toFixed(1)} s`)}</text>`);
    });
    y += heights[i];
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
