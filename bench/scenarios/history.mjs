import path from 'node:path';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { fig } from '../lib/results.mjs';
import { httpLoad, api } from '../lib/http.mjs';
import { chatPoint, connectShape, closeGroup } from '../lib/chat.mjs';
import { shape, oursAuth } from '../lib/plan.mjs';
import { startOurServer, startFloor, REPO } from '../lib/server.mjs';
import { openSeedDb, seedUsers, seedRoom, seedMessages, tokenFor, range } from '../lib/seed.mjs';

// (c) history pages on a room of N messages (1M in full mode) plus 5 % noise in other rooms,
// seeded straight into the migrated SQLite file; (g) startup on that database. The page queries
// the server really prepares are captured (bench/lib/sqlTrace.mjs) and EXPLAINed: a SCAN of
// messages or an OFFSET fails the scenario, as does OFFSET in server/modules/messages sources.
export async function runHistory(ctx) {
  const n = ctx.sizes.historyRows;
  const dir = path.join(ctx.tmp, 'c');
  const dbFile = path.join(dir, 'chat.db');
  const trace = path.join(dir, 'sql-trace.json');
  const start = (o = {}) => startOurServer({ dir, dbFile, llmUrl: ctx.llm.url, ...o });

  await (await start()).stop(); // migrations create the tables
  ctx.log(`(c) seeding ${n} messages (+5 % in 10 other rooms)`);
  const t0 = performance.now();
  const db = openSeedDb(dbFile);
  seedUsers(db, 100);
  seedRoom(db, 'rA1', range(0, 100));
  seedRoom(db, 'rC', range(0, 10));
  seedMessages(db, 'rC', n, range(0, 10));
  for (let i = 0; i < 10; i++) {
    seedRoom(db, `rCn_${i}`, range(10 * i, 10));
    seedMessages(db, `rCn_${i}`, Math.ceil(n / 200), range(10 * i, 10));
  }
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const seedMs = performance.now() - t0;

  const secs = ctx.sizes.historySecs;
  const randomPath = () => `/api/rooms/rC/messages?before=${51 + Math.floor(Math.random() * (n - 50))}&limit=50`;
  const allLoads = {
    'C1-random': { pathFn: randomPath },
    'C2-newest': { path: '/api/rooms/rC/messages?limit=50' },
    'C3-oldest': { path: '/api/rooms/rC/messages?before=51&limit=50' },
  };
  const loads = Object.fromEntries(Object.entries(allLoads).filter(([id]) => ctx.sizes.cPoints.includes(id)));

  ctx.log('(c) floors: raw SQL, raw Koa page route');
  const sql = JSON.parse(execFileSync(process.execPath, [path.join(REPO, 'bench/floors/sqlFloor.mjs'), '--db', dbFile, '--room', 'rC', '--insert', path.join(dir, 'insert-floor.db'), '--rows', String(ctx.quick ? 5000 : 20000), '--pages', String(ctx.quick ? 300 : 2000)], { encoding: 'utf8' }));
  const koa = await startFloor('koaFloor.mjs', ['--db', dbFile]);
  const floor = {};
  try {
    for (const [id, l] of Object.entries(loads)) floor[id] = await httpLoad(koa, { ...l, connections: 10, seconds: secs });
  } finally {
    await koa.stop();
  }

  ctx.log('(c) ours');
  const server = await start({ sqlTrace: trace });
  ctx.startups.big = server.startupMs;
  ctx.startups.bigRows = n;
  const headers = { authorization: `Bearer ${tokenFor(0)}` };
  const ours = {};
  let skip = null, c4 = null;
  try {
    const probe = await api(server.url, 'GET', randomPath(), { token: tokenFor(0) });
    if (probe.status !== 200 || probe.body?.messages?.length !== 50) skip = `probe page answered ${probe.status} with ${probe.body?.messages?.length ?? 'no'} messages`;
    else {
      for (const [id, l] of Object.entries(loads)) ours[id] = await httpLoad(server, { ...l, headers, connections: 10, seconds: secs });
      if (ctx.sizes.cPoints.includes('C4')) c4 = await pagesDuringChat(ctx, server, headers, randomPath);
    }
  } finally {
    await server.stop();
  }
  const planCheck = checkPlans(dbFile, trace);

  // (g) once more with the default startup backup of a big file
  const withBackup = await start({ env: { BACKUP_KEEP: '10' } }).catch(() => null);
  if (withBackup) {
    ctx.startups.bigBackup = withBackup.startupMs;
    await withBackup.stop();
  }

  const common = { seedMs: Math.round(seedMs), rows: n, sqlFloor: sql };
  ctx.results.add({
    scenario: 'c', id: 'C0-query-plan', ...common, status: planCheck.ok ? 'ok' : 'failed', reason: planCheck.ok ? undefined : planCheck.problems.join('; '),
    plans: planCheck.plans, figures: [fig('SQL keyset page p99 (floor, raw SQL)', sql.random?.p99, 'ms', { note: `OFFSET 90 %: ${sql.offset90?.p50} ms p50` })],
  });
  for (const id of Object.keys(loads)) {
    const o = ours[id], f = floor[id];
    if (!o) {
      ctx.results.add({ scenario: 'c', id, floor: f, status: skip ? 'skipped' : 'failed', reason: skip ?? 'not run' });
      continue;
    }
    const figures = [
      fig('pages/s', o.reqPerSec, '/s', { floor: f.reqPerSec, ...(id === 'C1-random' ? { minAbs: 3000 } : {}) }),
      fig('p99', o.latency.p99, 'ms', { floor: f.latency.p99, ...(id === 'C1-random' ? { maxAbs: 8 } : {}) }),
      fig('server CPU/page', o.cpuUsPerRequest, 'µs', { floor: f.cpuUsPerRequest }),
      fig('non-2xx', o.non2xx + o.errors, 'req', { equals: 0 }),
    ];
    if (id === 'C3-oldest' && ours['C2-newest']) figures.push(fig('pages/s vs C2', Math.round((o.reqPerSec / ours['C2-newest'].reqPerSec) * 100) / 100, '×', { minAbs: 0.67, note: 'C3 within 1.5× of C2' }));
    ctx.results.add({ scenario: 'c', id, floor: f, ours: o, status: 'ok', figures });
  }
  if (c4) ctx.results.add({ scenario: 'c', id: 'C4-pages-during-chat', ...c4.line });
}

/** A1 at 300 msg/s alone, then with REST pages at a fixed rate: how much chat p99 rises. */
async function pagesDuringChat(ctx, server, headers, pathFn) {
  const sh = shape('A1', oursAuth, ctx.sizes);
  let group;
  try {
    group = await connectShape(ctx.gen, server, sh);
  } catch (err) {
    return { line: { status: err.skip ? 'skipped' : 'failed', reason: err.message } };
  }
  try {
    const timing = ctx.sizes;
    const alone = await chatPoint(ctx.gen, server, sh, { mode: 'open', rate: 300 }, timing, { connected: group });
    const secs = Math.ceil((timing.warmupMs + timing.durationMs) / 1000);
    const [withPages, pages] = await Promise.all([
      chatPoint(ctx.gen, server, sh, { mode: 'open', rate: 300 }, timing, { connected: group }),
      httpLoad(server, { pathFn, headers, connections: 4, seconds: secs, overallRate: ctx.sizes.c4Rate }),
    ]);
    return {
      line: {
        status: 'ok', chatAlone: alone.latency, chatWithPages: withPages.latency, pages, generatorBound: withPages.genCpuPct > 90,
        figures: [
          fig('chat p99 rise', Math.round((withPages.latency.p99 - alone.latency.p99) * 100) / 100, 'ms', { maxAbs: 2, note: `${ctx.sizes.c4Rate} pages/s beside A1 300 msg/s` }),
          fig('page p99', pages.latency.p99, 'ms'),
        ],
      },
    };
  } finally {
    await closeGroup(ctx.gen, group.gid);
  }
}

/** EXPLAIN QUERY PLAN of every captured page query on messages; grep the sources for OFFSET. */
function checkPlans(dbFile, traceFile) {
  const problems = [];
  const plans = [];
  const srcDir = path.join(REPO, 'server/modules/messages');
  for (const f of existsSync(srcDir) ? readdirSync(srcDir) : []) {
    if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
    const text = readFileSync(path.join(srcDir, f), 'utf8');
    if (/\.offset\(|\bOFFSET\b/.test(text)) problems.push(`OFFSET in server/modules/messages/${f}`);
  }
  if (!existsSync(traceFile)) return { ok: false, problems: [...problems, 'no SQL trace written (server did not exit cleanly?)'], plans };
  const captured = JSON.parse(readFileSync(traceFile, 'utf8'));
  const db = new Database(dbFile, { readonly: true });
  for (const [sqlText, count] of captured) {
    const alias = /from\s+"?messages"?(?:\s+(?:as\s+)?"?(\w+)"?)?/i.exec(sqlText);
    if (!alias || !/\blimit\b/i.test(sqlText) || !/order\s+by/i.test(sqlText)) continue;
    const names = ['messages', alias[1]].filter((x) => x && !/^(where|order|inner|left|join|limit)$/i.test(x));
    if (/\boffset\b/i.test(sqlText)) problems.push(`OFFSET in a page query: ${sqlText.slice(0, 160)}`);
    let detail;
    try {
      const params = (sqlText.match(/\?/g) ?? []).map(() => null);
      detail = db.prepare(`EXPLAIN QUERY PLAN ${sqlText}`).all(...params).map((r) => r.detail);
    } catch (err) {
      detail = [`(EXPLAIN failed: ${err.message})`];
    }
    plans.push({ sql: sqlText, prepares: count, plan: detail });
    for (const d of detail) if (names.some((nm) => new RegExp(`^SCAN (TABLE )?${nm}\\b`).test(d))) problems.push(`${d} in: ${sqlText.slice(0, 160)}`);
  }
  db.close();
  if (!plans.length) problems.push('no page query on messages was captured');
  return { ok: problems.length === 0, problems, plans };
}
