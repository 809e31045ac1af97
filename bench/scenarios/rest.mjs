import path from 'node:path';
import { fig } from '../lib/results.mjs';
import { httpLoad, api } from '../lib/http.mjs';
import { connectShape, closeGroup } from '../lib/chat.mjs';
import { shape, oursAuth } from '../lib/plan.mjs';
import { startFloor } from '../lib/server.mjs';
import { tokenFor } from '../lib/seed.mjs';

// (b) B2: POST /api/rooms/:id/messages with 10 keep-alive connections (autocannon) while the
// room's 10 members listen over WebSocket; floor = raw Koa route + autocommit insert.
export async function runRest(ctx) {
  const secs = ctx.sizes.restSecs;
  const body = JSON.stringify({ content: 'REST bench message '.padEnd(100, 'x') });
  const load = { path: '/api/rooms/rB2/messages', method: 'POST', body, connections: 10, seconds: secs };

  ctx.log('(b) floor: Koa POST + insert');
  const floor = await startFloor('koaFloor.mjs', ['--write', path.join(ctx.tmp, 'floor-rest.db')]);
  const f = await httpLoad(floor, { ...load, headers: { 'content-type': 'application/json' } }).finally(() => floor.stop());

  ctx.log('(b) ours');
  const server = await ctx.startOurs();
  const token = tokenFor(0);
  let o, reason = null, skip = false, rows = null;
  try {
    const probe = await api(server.url, 'POST', '/api/rooms/rB2/messages', { token, body: { content: 'probe' } });
    if (probe.status !== 201) {
      skip = probe.status === 404 || probe.status === 405;
      reason = `probe POST answered ${probe.status} ${JSON.stringify(probe.body).slice(0, 120)}`;
    } else {
      const before = ctx.countMessages(ctx.dbA, "WHERE room_id = 'rB2'");
      let group = null;
      try {
        group = await connectShape(ctx.gen, server, shape('B2', oursAuth, ctx.sizes));
      } catch (err) {
        ctx.log(`(b) no WebSocket listeners: ${err.message}`);
      }
      o = await httpLoad(server, { ...load, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } });
      if (group) await closeGroup(ctx.gen, group.gid);
      rows = ctx.countMessages(ctx.dbA, "WHERE room_id = 'rB2'") - before;
      o.listeners = group ? 10 : 0;
    }
  } finally {
    await server.stop();
  }
  const base = { scenario: 'b', id: 'B2-rest-post', floor: f, ours: o, durability: ctx.durability };
  if (!o) return ctx.results.add({ ...base, status: skip ? 'skipped' : 'failed', reason });
  ctx.results.add({
    ...base, status: 'ok', rowsAdded: rows,
    figures: [
      fig('req/s', o.reqPerSec, '/s', { floor: f.reqPerSec, minRatio: 0.8, minAbs: 5000 }),
      fig('p99', o.latency.p99, 'ms', { floor: f.latency.p99 }),
      fig('server CPU/request', o.cpuUsPerRequest, 'µs', { floor: f.cpuUsPerRequest }),
      fig('non-2xx', o.non2xx + o.errors, 'req', { equals: 0 }),
      fig('rows stored − 201s', rows - o.ok2xx, 'rows', { minAbs: 0, maxAbs: 10, note: 'requests in flight when autocannon stops are stored but not counted' }),
    ],
  });
}
