import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { rateLimit } from '../../middleware/rateLimit.js';
import { validate } from '../../lib/validate.js';
import { presentUser } from '../users/presenter.js';
import { loginBody, profileBody, registerBody } from './schema.js';

/** Password sign-up and sign-in, the caller's profile. */
export function authRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/auth' });
  const limit = rateLimit(deps.config.authRateLimit, 60_000);

  router.post('/register', limit, async (ctx) => {
    const { token, user } = await deps.auth.register(validate(registerBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = { token, user: presentUser(user) };
  });

  router.post('/login', limit, async (ctx) => {
    const { token, user } = await deps.auth.login(validate(loginBody, ctx.request.body));
    ctx.body = { token, user: presentUser(user) };
  });

  router.get('/me', deps.requireUser, async (ctx) => {
    ctx.body = { user: presentUser(currentUser(ctx)) };
  });

  router.patch('/profile', deps.requireUser, async (ctx) => {
    const user = await deps.auth.updateProfile(currentUser(ctx).id, validate(profileBody, ctx.request.body));
    ctx.body = { user: presentUser(user) };
  });

  return router;
}
