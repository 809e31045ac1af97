import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { validate } from '../../lib/validate.js';
import { idParam } from '../rooms/schema.js';
import { editBody, hashParam, historyQuery, sendInputSchema } from './schema.js';

/** History, sending, editing, deleting and hash lookup (API.md "Rooms", message rows). */
export function messageRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api' });
  router.use(deps.requireUser);

  router.get('/rooms/:roomId/messages', async (ctx) => {
    const q = validate(historyQuery, ctx.query, 'query');
    ctx.body = await deps.messages.history(validate(idParam, ctx.params.roomId, 'roomId'), currentUser(ctx).id, q);
  });

  router.post('/rooms/:roomId/messages', async (ctx) => {
    const input = validate(sendInputSchema, ctx.request.body);
    const { message, created } = await deps.messages.send(currentUser(ctx), validate(idParam, ctx.params.roomId, 'roomId'), input);
    ctx.status = created ? 201 : 200;
    ctx.body = { message };
  });

  router.get('/messages/hash/:hash', async (ctx) => {
    ctx.body = await deps.messages.findByHash(validate(hashParam, ctx.params.hash, 'hash'), currentUser(ctx).id);
  });

  router.patch('/messages/:messageId', async (ctx) => {
    const { content } = validate(editBody, ctx.request.body);
    ctx.body = { message: await deps.messages.edit(validate(idParam, ctx.params.messageId, 'messageId'), currentUser(ctx).id, content) };
  });

  router.delete('/messages/:messageId', async (ctx) => {
    await deps.messages.remove(validate(idParam, ctx.params.messageId, 'messageId'), currentUser(ctx).id);
    ctx.status = 204;
  });

  return router;
}
