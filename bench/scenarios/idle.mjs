import { fig } from '../lib/results.mjs';
import { sleep } from '../lib/clock.mjs';
import { chatPoint, connectShape, closeGroup } from '../lib/chat.mjs';
import { shape, oursAuth, floorAuth } from '../lib/plan.mjs';
import { startFloor } from '../lib/server.mjs';

// (f) N idle authenticated sockets (10,000 in full mode: 100 rooms × 100 members): connect+join
// time, RSS and V8 heap (after a forced GC) per socket, liveness (10 msg/s, nothing lost) and
// the event-loop delay at rest. Both our server and the floor run with --expose-gc.
async function measure(ctx, target, auth, memory) {
  const sh = shape('F', auth, ctx.sizes);
  const m0 = await memory();
  const r0 = target.stat().rss;
  const group = await connectShape(ctx.gen, target, sh, { concurrency: 200 });
  try {
    await sleep(ctx.sizes.idleWaitMs);
    const live = await chatPoint(ctx.gen, target, sh, { mode: 'open', rate: 10 }, { warmupMs: 0, durationMs: ctx.sizes.livenessMs, drainMs: 3000 }, { connected: group });
    const m1 = await memory();
    const r1 = target.stat().rss;
    const n = sh.clients.length;
    return {
      sockets: n, connectJoinMs: Math.round(group.ms), rssBeforeMiB: Math.round(r0 / 1048576), rssAfterMiB: Math.round(r1 / 1048576),
      rssKiBPerSocket: Math.round(((r1 - r0) / n / 1024) * 10) / 10,
      heapKiBPerSocket: m0 && m1 ? Math.round(((m1.heapUsed - m0.heapUsed) / n / 1024) * 10) / 10 : null,
      livenessLost: live.lost, livenessSent: live.sent, livenessP99: live.latency.p99,
    };
  } finally {
    await closeGroup(ctx.gen, group.gid);
  }
}

export async function runIdle(ctx) {
  const n = ctx.sizes.idleSockets;
  ctx.log(`(f) floor: ${n} idle sockets on the ws relay`);
  const floor = await startFloor('wsRelay.mjs', [], { exposeGc: true });
  ctx.startups.floor ??= floor.startupMs;
  const floorMem = async () => (await (await fetch(`${floor.url}/__stats?gc=1`)).json()).memory;
  const f = await measure(ctx, floor, floorAuth, floorMem).finally(() => floor.stop());

  ctx.log(`(f) ours: ${n} idle sockets`);
  const server = await ctx.startOurs({ exposeGc: true });
  let o, err = null, eventLoop = null;
  try {
    const mem = async () => (await server.health('?gc=1'))?.process?.memory ?? null;
    o = await measure(ctx, server, oursAuth, mem);
    await server.health('?reset=1');
    await sleep(1000);
    eventLoop = (await server.health())?.process?.eventLoopDelay ?? null;
  } catch (e) {
    err = e;
  } finally {
    await server.stop();
  }
  const base = { scenario: 'f', id: `F-idle-${n}`, floor: f, ours: o ?? null };
  if (err) return ctx.results.add({ ...base, status: err.skip ? 'skipped' : 'failed', reason: err.message });
  const scale = n / 10000;
  ctx.results.add({
    ...base, status: 'ok', eventLoopAtRest: eventLoop,
    figures: [
      fig(`connect+join ${n}`, o.connectJoinMs, 'ms', { floor: f.connectJoinMs, maxAbs: Math.round(5000 * scale) }),
      fig('RSS/socket', o.rssKiBPerSocket, 'KiB', { floor: f.rssKiBPerSocket, maxAbs: 12, maxRatio: 2 }),
      fig('heap/socket after GC', o.heapKiBPerSocket, 'KiB', { floor: f.heapKiBPerSocket }),
      fig('liveness lost', o.livenessLost, 'msgs', { equals: 0 }),
      fig('event-loop p99 at rest', eventLoop?.p99 ?? null, 'ms'),
    ],
  });
}
