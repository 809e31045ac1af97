import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { currentUser, type AppState } from '../../middleware/context.js';
import { rateLimit } from '../../middleware/rateLimit.js';
import { presentAttachment } from '../messages/presenter.js';
import { presentUser } from '../users/presenter.js';
import { receiveSingleFile } from './multipart.js';
import { AVATAR_MAX_BYTES, CHAT_IMAGE_MAX_BYTES } from './service.js';

/**
 * Image uploads: chat images (attached to a message later) and avatars. Auth and the per-user
 * upload limit run before a single body byte is read.
 */
export function uploadRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>();
  const limit = rateLimit(deps.config.uploadRateLimit, 60_000, (ctx) => `upload:${currentUser(ctx).id}`);
  const tmpRoot = deps.uploads.tmpRoot;

  router.post('/api/upload', deps.requireUser, limit, async (ctx) => {
    const owner = currentUser(ctx).id;
    const row = await receiveSingleFile(ctx, { maxBytes: CHAT_IMAGE_MAX_BYTES, tmpRoot }, (file) => deps.uploads.storeChatImage(owner, file));
    ctx.status = 201;
    ctx.body = { upload: presentAttachment(row) };
  });

  router.post('/api/auth/avatar', deps.requireUser, limit, async (ctx) => {
    const user = currentUser(ctx);
    const updated = await receiveSingleFile(ctx, { maxBytes: AVATAR_MAX_BYTES, tmpRoot }, (file) => deps.uploads.storeAvatar(user, file));
    ctx.body = { user: presentUser(updated) };
  });

  return router;
}
