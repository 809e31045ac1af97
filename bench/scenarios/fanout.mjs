import path from 'node:path';
import { fig } from '../lib/results.mjs';
import { chatPoint } from '../lib/chat.mjs';
import { shape, oursAuth, floorAuth } from '../lib/plan.mjs';
import { startFloor } from '../lib/server.mjs';

// (a) room fan-out and (b) B1 send with persistence over WebSocket. The floors (bare `ws` relay,
// and with a better-sqlite3 insert per message) run every point first, then our server.
const LOADS = {
  'A1-open-30': ['A1', { mode: 'open', rate: 30 }],
  'A1-open-300': ['A1', { mode: 'open', rate: 300 }],
  'A1-open-1000': ['A1', { mode: 'open', rate: 1000 }],
  'A1-closed': ['A1', { mode: 'closed', window: 2 }],
  'A2-closed': ['A2', { mode: 'closed', window: 2 }],
  'A3-open-30': ['A3', { mode: 'open', rate: 30 }],
};

async function points(ctx, target, auth, names) {
  const out = {};
  for (const name of names) {
    const [sh, load] = LOADS[name];
    try {
      out[name] = await chatPoint(ctx.gen, target, shape(sh, auth, ctx.sizes), load, ctx.sizes, { expectAcks: true });
    } catch (err) {
      out[name] = { error: err.message, skip: err.skip };
      if (err.skip) break; // the route is missing: every further point would fail the same way
    }
  }
  return out;
}

const brief = (r) => r && !r.error && {
  sent: r.sent, lost: r.lost, rejected: r.rejected, duplicates: r.duplicates, acks: r.acks, deliveriesPerSec: r.deliveriesPerSec, msgsPerSec: r.msgsPerSec,
  latency: r.latency, ack: r.ack, lag: r.lag, serverCpuPct: r.serverCpuPct, cpuUsPerDelivery: r.cpuUsPerDelivery, rssMiB: r.rssMiB,
  genCpuPct: r.genCpuPct, errors: r.errors, errorSamples: r.errorSamples?.slice(0, 2),
};

function figuresFor(name, o, f) {
  const lat = [fig('p50', o.latency.p50, 'ms', { floor: f?.latency.p50 }), fig('p99', o.latency.p99, 'ms', { floor: f?.latency.p99 })];
  const cpu = fig('server CPU/delivery', o.cpuUsPerDelivery, 'µs', { floor: f?.cpuUsPerDelivery, maxRatio: 1.3 });
  const lost = fig('lost', o.lost, 'deliveries', { equals: 0 });
  const rejected = fig('sends refused', o.rejected, 'msgs', { equals: 0, note: 'error frames, e.g. rate_limited' });
  switch (name) {
    case 'A1-open-300':
      return [lat[0], fig('p99', o.latency.p99, 'ms', { floor: f?.latency.p99, maxAbs: 5, maxRatio: 2 }), cpu, fig('ack p99', o.ack.p99, 'ms', { maxAbs: 10 }), lost, rejected];
    case 'A1-closed':
      return [fig('deliveries/s', o.deliveriesPerSec, '/s', { floor: f?.deliveriesPerSec, minRatio: 0.8 }), cpu, lat[1], lost, rejected];
    case 'A2-closed':
      return [fig('msgs/s', o.msgsPerSec, '/s', { floor: f?.msgsPerSec }), fig('deliveries/s', o.deliveriesPerSec, '/s', { floor: f?.deliveriesPerSec }), cpu, lost, rejected];
    default:
      return [...lat, cpu, lost, rejected];
  }
}

export async function runFanout(ctx) {
  const names = ctx.sizes.aPoints;
  const wantB1 = names.includes('A2-closed');
  ctx.log('(a) floor: bare ws relay');
  const floor = await startFloor('wsRelay.mjs');
  const floorRes = await points(ctx, floor, floorAuth, names).finally(() => floor.stop());
  let floorPersist = null;
  if (wantB1) {
    ctx.log('(b) floor: ws relay + SQLite insert per message');
    const fp = await startFloor('wsRelay.mjs', ['--persist', path.join(ctx.tmp, 'floor-persist.db')]);
    floorPersist = (await points(ctx, fp, floorAuth, ['A2-closed']).finally(() => fp.stop()))['A2-closed'];
  }
  ctx.log('(a) ours');
  const server = await ctx.startOurs();
  const rowsBefore = ctx.countMessages();
  let ours;
  try {
    ours = await points(ctx, server, oursAuth, names);
  } finally {
    await server.stop();
  }
  const rowsAdded = ctx.countMessages() - rowsBefore;

  for (const name of names) {
    const o = ours[name], f = floorRes[name];
    const base = { scenario: 'a', id: name, floor: brief(f) || f, ours: brief(o) || o };
    if (!o || o.error) ctx.results.add({ ...base, status: o?.skip ? 'skipped' : 'failed', reason: o?.error ?? 'not run' });
    else ctx.results.add({ ...base, status: 'ok', generatorBound: o.genCpuPct > 90 || (f && f.genCpuPct > 90), figures: figuresFor(name, o, f && !f.error ? f : null) });
  }
  if (wantB1) {
    const o = ours['A2-closed'];
    const base = { scenario: 'b', id: 'B1-ws-persist', floor: brief(floorPersist) || floorPersist, ours: brief(o) || o, durability: ctx.durability };
    if (!o || o.error) ctx.results.add({ ...base, status: o?.skip ? 'skipped' : 'failed', reason: o?.error ?? 'not run' });
    else {
      const acked = Object.values(ours).reduce((a, r) => a + (r && !r.error ? r.acks : 0), 0);
      ctx.results.add({
        ...base, status: 'ok', rowsAdded, acksTotal: acked, generatorBound: o.genCpuPct > 90,
        figures: [
          fig('msgs/s acked', o.msgsPerSec, '/s', { floor: floorPersist?.msgsPerSec, minRatio: 0.85, minAbs: 6000 }),
          fig('ack p99 (saturated)', o.ack.p99, 'ms', { floor: floorPersist?.ack?.p99 }),
          fig('rows stored − acks', rowsAdded - acked, 'rows', { equals: 0, note: 'all (a) runs' }),
        ],
      });
    }
  }
}
