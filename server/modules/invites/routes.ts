import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { validate } from '../../lib/validate.js';
import { createInviteBody, listInvitesQuery, nostrInviteBody, tokenParam } from './schema.js';

/** Invite links and Nostr-key invites (API.md "Invites"). */
export function inviteRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/invites' });
  const token = (ctx: { params: Record<string, string> }) => validate(tokenParam, ctx.params.token, 'token');

  router.post('/', deps.requireUser, async (ctx) => {
    const out = await deps.invites.create(currentUser(ctx).id, validate(createInviteBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = out;
  });

  router.get('/', deps.requireUser, async (ctx) => {
    const { roomId } = validate(listInvitesQuery, ctx.query, 'query');
    ctx.body = { invites: await deps.invites.listActive(roomId, currentUser(ctx).id) };
  });

  router.post('/nostr', deps.requireUser, async (ctx) => {
    const out = await deps.invites.inviteNostr(currentUser(ctx).id, validate(nostrInviteBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = out;
  });

  // No auth: holding the token is the permission to preview.
  router.get('/:token', async (ctx) => {
    ctx.body = await deps.invites.preview(token(ctx));
  });

  router.post('/:token/accept', deps.requireUser, async (ctx) => {
    ctx.body = { room: await deps.invites.accept(token(ctx), currentUser(ctx).id) };
  });

  router.delete('/:token', deps.requireUser, async (ctx) => {
    await deps.invites.revoke(token(ctx), currentUser(ctx).id);
    ctx.status = 204;
  });

  return router;
}
