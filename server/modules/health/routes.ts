import Router from '@koa/router';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import type { AppState } from '../../middleware/context.js';
import { appVersion } from '../../lib/version.js';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

const startedAt = Date.now();
let loopDelay: IntervalHistogram | null = null;

/**
 * Bench mode only: event-loop delay since the last `?reset=1` (started lazily on the first call,
 * 1 ms resolution), and `?gc=1` forces a GC first when node runs with --expose-gc, so the harness
 * can read heap per socket. Never active in normal operation.
 */
function benchFigures(query: Record<string, unknown>) {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  if (query.gc === '1' && gc) gc();
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const eventLoopDelay = loopDelay.count
    ? { p50: ms(loopDelay.percentile(50)), p99: ms(loopDelay.percentile(99)), max: ms(loopDelay.max), mean: ms(loopDelay.mean), samples: loopDelay.count }
    : null;
  if (query.reset === '1') loopDelay.reset();
  return { process: { cpu: process.cpuUsage(), memory: process.memoryUsage(), eventLoopDelay } };
}

/** Liveness and a cheap database round trip; in bench mode also process CPU and memory. */
export function healthRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/health', async (ctx) => {
    let db = 'ok';
    try {
      await sql`SELECT 1`.execute(deps.db);
    } catch {
      db = 'error';
    }
    ctx.status = db === 'ok' ? 200 : 503;
    ctx.body = {
      status: db === 'ok' ? 'ok' : 'degraded',
      version: appVersion(),
      uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
      connectedClients: deps.stats.connectedClients(),
      db,
      ...(deps.config.benchMode ? benchFigures(ctx.query) : {}),
    };
  });
  return router;
}
