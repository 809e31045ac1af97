#!/usr/bin/env node
// Benchmark suite entry: `npm run bench` (full, ≤ 5 min) or `npm run bench -- --quick` (≤ 60 s).
// Options: --only a,b,c,d,e,f,g (letters of notes/performance.md §5), --keep (keep the temp dir).
// Exit code 0 unless the harness itself breaks; scenarios that cannot run are reported "skipped".
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { killAll, cpuJiffies } from './lib/proc.mjs';
import { Results } from './lib/results.mjs';
import { Generator } from './lib/gen.mjs';
import { startOurServer, useBuiltServer, REPO } from './lib/server.mjs';
import { buildServer } from './lib/build.mjs';
import { startFakeLlm } from './lib/llm.mjs';
import { FULL, QUICK, chatRooms, userCount } from './lib/plan.mjs';
import { openSeedDb, seedUsers, seedRoom } from './lib/seed.mjs';
import { runFanout } from './scenarios/fanout.mjs';
import { runRest } from './scenarios/rest.mjs';
import { runHistory } from './scenarios/history.mjs';
import { runLogins } from './scenarios/logins.mjs';
import { runAi } from './scenarios/ai.mjs';
import { runIdle } from './scenarios/idle.mjs';
import { fig } from './lib/results.mjs';

const { values: opt } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' }, keep: { type: 'boolean' } }, allowPositionals: true });
const quick = !!opt.quick;

// (f) needs one descriptor per socket in the server and in the generator: raise the soft limit
// by re-running this script under `ulimit -n` when the hard limit allows; else fewer sockets.
const wantFds = (quick ? QUICK : FULL).idleSockets + 2000;
const fdLimits = () => {
  const m = /Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  const n = (v) => (v === 'unlimited' ? Infinity : Number(v));
  return m ? { soft: n(m[1]), hard: n(m[2]) } : { soft: Infinity, hard: Infinity };
};
const fd = fdLimits();
if (fd.soft < wantFds && fd.hard >= wantFds && !process.env.BENCH_ULIMIT_RAISED) {
  const r = spawnSync('/bin/sh', ['-c', `ulimit -n ${wantFds} && exec "$0" "$@"`, process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_ULIMIT_RAISED: '1' } });
  process.exit(r.status ?? 1);
}
const only = opt.only ? new Set(opt.only.split(',').map((s) => s.trim().toLowerCase())) : null;
const want = (letter) => !only || only.has(letter);
const t0 = performance.now();
const log = (msg) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'chat-bench-'));
let cleaned = false;
const cleanup = () => {
  if (cleaned) return;
  cleaned = true;
  killAll();
  if (!opt.keep) rmSync(tmp, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => process.exit(130));

const git = (...a) => {
  try {
    return execFileSync('git', a, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
};
const sha = git('rev-parse', '--short', 'HEAD') ?? 'nogit';
const dirty = git('status', '--porcelain', '--untracked-files=no') ? '-dirty' : '';
const dbSource = readFileSync(path.join(REPO, 'server/db/database.ts'), 'utf8');
const durability = {
  journalMode: /journal_mode\s*=\s*(\w+)/i.exec(dbSource)?.[1] ?? '?',
  synchronous: /synchronous\s*=\s*(\w+)/i.exec(dbSource)?.[1] ?? '?',
  commits: 'as the server does them (see server/modules/messages)',
};
const sqliteVersion = new Database(':memory:').prepare('SELECT sqlite_version() AS v').get().v;
const header = {
  date: new Date().toISOString(), sha: sha + dirty, mode: quick ? 'quick' : 'full', node: process.version, sqlite: sqliteVersion,
  cores: os.cpus().length, cpu: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(), durability,
};
const resultsFile = path.join(REPO, 'bench', 'results', `${header.date.slice(0, 10)}-${sha}.jsonl`);
const results = new Results(resultsFile, header);
console.log(`# chat server benchmarks (${header.mode}) — ${header.date}, ${header.sha}`);
console.log(`node ${header.node}, SQLite ${header.sqlite}, ${header.cores} cores (${header.cpu}), ${header.memGiB} GiB, kernel ${header.kernel}`);
console.log(`server durability: journal_mode=${durability.journalMode}, synchronous=${durability.synchronous}; generator: lean raw-TCP WebSocket clients in one child process`);
const steal0 = cpuJiffies();

const built = await buildServer().catch((err) => {
  console.log(`esbuild transpile failed (${err.message.split('\n')[0]}); running the server through tsx`);
  return null;
});
if (built) useBuiltServer(built);
header.serverRun = built ? 'node on an esbuild transpile of server/ (as prod.sh runs dist/)' : 'node --import tsx server/main.ts';
console.log(`server runs as: ${header.serverRun}`);

const sizes = { ...(quick ? QUICK : FULL) };
if (fd.soft < wantFds) {
  sizes.idleSockets = Math.max(100, Math.floor((fd.soft - 2000) / 100) * 100);
  console.log(`open-file limit ${fd.soft}: scenario (f) uses ${sizes.idleSockets} sockets`);
}
const load1 = os.loadavg()[0];
header.loadAvg1mAtStart = load1;
if (load1 > 0.7) console.log(`WARNING: 1-minute load average is ${load1.toFixed(2)} before the run: other work shares the ${header.cores} cores, figures will be noisy`);
const ctx = { quick, sizes, tmp, log, results, durability, startups: {} };
ctx.gen = new Generator();
ctx.llm = await startFakeLlm(sizes.aiTokens);
ctx.dbA = path.join(tmp, 'a', 'chat.db');
ctx.startOurs = (o = {}) => startOurServer({ dir: path.join(tmp, 'a'), dbFile: ctx.dbA, llmUrl: ctx.llm.url, ...o });
ctx.countMessages = (file = ctx.dbA, where = '') => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) AS n FROM messages ${where}`).get().n;
  } finally {
    db.close();
  }
};

/** Runs one scenario under a wall-clock cap; a crash or timeout is reported, never fatal. */
async function scenario(letter, name, fn, capMs) {
  if (!want(letter)) return;
  log(`scenario (${letter}) ${name}`);
  let timer;
  try {
    await Promise.race([fn(ctx), new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${capMs / 1000} s`)), capMs)))]);
  } catch (err) {
    results.add({ scenario: letter, id: name, status: 'failed', reason: String(err.message ?? err).split('\n').slice(0, 3).join(' ') });
    if (/timed out/.test(err.message)) {
      killAll();
      ctx.gen = new Generator();
      ctx.llm = await startFakeLlm(sizes.aiTokens);
    }
  } finally {
    clearTimeout(timer);
  }
}

// Chat database: first start on an empty file applies the migrations (startup (g), empty DB),
// then the server stops and the users/rooms/members every scenario needs are seeded directly.
log('setup: migrate an empty database, seed users and rooms');
let setupError = null;
try {
  const s = await ctx.startOurs();
  ctx.startups.empty = s.startupMs;
  await s.stop();
  const db = openSeedDb(ctx.dbA);
  seedUsers(db, userCount(sizes));
  for (const [id, members] of Object.entries(chatRooms(sizes))) seedRoom(db, id, members);
  db.close();
} catch (err) {
  setupError = String(err.message ?? err);
}
if (setupError) {
  results.add({ scenario: 'setup', id: 'setup', status: 'failed', reason: setupError.split('\n').slice(0, 4).join(' ') });
} else {
  const cap = (fullS, quickS) => (quick ? quickS : fullS) * 1000;
  await scenario('a', 'fan-out (a) + B1', runFanout, cap(150, 30));
  await scenario('b', 'REST send (b)', runRest, cap(60, 20));
  await scenario('d', 'logins (d)', runLogins, cap(90, 25));
  await scenario('e', 'AI relay (e)', runAi, cap(120, 30));
  await scenario('f', 'idle sockets (f)', runIdle, cap(90, 20));
  await scenario('c', 'history (c)', runHistory, cap(150, 30));
}
if (want('g') && ctx.startups.empty !== undefined) {
  const floorMs = ctx.startups.floor ?? null;
  const figures = [fig('empty DB', Math.round(ctx.startups.empty), 'ms', { floor: floorMs && Math.round(floorMs), maxAbs: 500 })];
  if (ctx.startups.big !== undefined) figures.push(fig(`${ctx.startups.bigRows} rows`, Math.round(ctx.startups.big), 'ms', { maxAbs: 1000 }));
  if (ctx.startups.bigBackup !== undefined) figures.push(fig(`${ctx.startups.bigRows} rows + startup backup`, Math.round(ctx.startups.bigBackup), 'ms', { note: 'BACKUP_KEEP default' }));
  results.add({ scenario: 'g', id: 'G-startup', status: 'ok', startups: ctx.startups, figures, note: 'spawn → first /api/health answer; server runs through tsx (npm start)' });
}

await ctx.gen.stop();
const steal1 = cpuJiffies();
const stealPct = Math.round(((steal1.steal - steal0.steal) / Math.max(1, steal1.total - steal0.total)) * 1000) / 10;
console.log(`\n## Results (${header.mode}, ${((performance.now() - t0) / 1000).toFixed(0)} s, CPU steal during the run ${stealPct} %)\n`);
console.log(results.table());
console.log(`\nRaw results: ${path.relative(process.cwd(), resultsFile)}`);
results.add({ scenario: 'summary', id: 'summary', status: 'ok', seconds: Math.round((performance.now() - t0) / 1000), stealPct });
cleanup();
process.exit(0);
