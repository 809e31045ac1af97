import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { rateLimit } from '../../middleware/rateLimit.js';
import { presentUser } from '../users/presenter.js';

/** Sign in with Nostr (challenge, verify) and linking a key to the signed-in account. */
export function nostrRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/auth/nostr' });
  const limit = deps.config.authRateLimit;

  router.post('/challenge', rateLimit(limit, 60_000), async (ctx) => {
    ctx.body = await deps.nostrAuth.issueChallenge();
  });

  router.post('/verify', rateLimit(limit, 60_000), async (ctx) => {
    const { token, user, created } = await deps.nostrAuth.signIn(ctx.request.body);
    ctx.body = { token, user: presentUser(user), created };
  });

  router.post('/link', rateLimit(limit, 60_000), deps.requireUser, async (ctx) => {
    const user = await deps.nostrAuth.link(currentUser(ctx), ctx.request.body);
    ctx.body = { user: presentUser(user) };
  });

  return router;
}
