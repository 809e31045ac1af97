import Router from '@koa/router';
import { sql } from 'kysely';
import type { Deps } from '../../deps.js';
import type { AppState } from '../../middleware/context.js';
import { appVersion } from '../../lib/version.js';

const startedAt = Date.now();

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
      ...(deps.config.benchMode ? { process: { cpu: process.cpuUsage(), memory: process.memoryUsage() } } : {}),
    };
  });
  return router;
}
