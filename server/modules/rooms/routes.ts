import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { validate } from '../../lib/validate.js';
import { createRoomBody, idParam, memberRoleBody, updateRoomBody } from './schema.js';

/** Rooms and memberships (API.md "Rooms"). Messages live in the messages module. */
export function roomRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/rooms' });
  router.use(deps.requireUser);
  const roomId = (ctx: { params: Record<string, string> }) => validate(idParam, ctx.params.roomId, 'roomId');

  router.get('/', async (ctx) => {
    ctx.body = { rooms: await deps.rooms.listMine(currentUser(ctx).id) };
  });

  // Added to the contract: discovery of public rooms to join.
  router.get('/public', async (ctx) => {
    ctx.body = { rooms: await deps.rooms.listPublic(currentUser(ctx).id) };
  });

  router.post('/', async (ctx) => {
    const room = await deps.rooms.create(currentUser(ctx).id, validate(createRoomBody, ctx.request.body));
    ctx.status = 201;
    ctx.body = { room };
  });

  router.get('/:roomId', async (ctx) => {
    const { room, role } = await deps.rooms.requireMember(roomId(ctx), currentUser(ctx).id);
    ctx.body = { room: await deps.rooms.view(room, role), members: await deps.rooms.listMembers(room.id) };
  });

  router.patch('/:roomId', async (ctx) => {
    ctx.body = { room: await deps.rooms.update(roomId(ctx), currentUser(ctx).id, validate(updateRoomBody, ctx.request.body)) };
  });

  router.delete('/:roomId', async (ctx) => {
    await deps.rooms.remove(roomId(ctx), currentUser(ctx).id);
    ctx.status = 204;
  });

  router.post('/:roomId/join', async (ctx) => {
    ctx.body = { room: await deps.rooms.join(roomId(ctx), currentUser(ctx).id) };
  });

  router.post('/:roomId/leave', async (ctx) => {
    await deps.rooms.leave(roomId(ctx), currentUser(ctx).id);
    ctx.status = 204;
  });

  router.post('/:roomId/clear', async (ctx) => {
    await deps.messages.clearRoom(roomId(ctx), currentUser(ctx).id);
    ctx.status = 204;
  });

  router.patch('/:roomId/members/:userId', async (ctx) => {
    const { role } = validate(memberRoleBody, ctx.request.body);
    const member = await deps.rooms.setRole(roomId(ctx), currentUser(ctx).id, validate(idParam, ctx.params.userId, 'userId'), role);
    ctx.body = { member };
  });

  router.delete('/:roomId/members/:userId', async (ctx) => {
    await deps.rooms.removeMember(roomId(ctx), currentUser(ctx).id, validate(idParam, ctx.params.userId, 'userId'));
    ctx.status = 204;
  });

  return router;
}
