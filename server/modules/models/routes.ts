import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import type { AppState } from '../../middleware/context.js';

/** The models a room may choose from, and the server's default (GET /api/models). */
export function modelRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>();
  router.get('/api/models', deps.requireUser, async (ctx) => {
    ctx.body = { models: await deps.models.list(), defaultModel: deps.models.defaultModel };
  });
  return router;
}
