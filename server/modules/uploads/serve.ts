import Router from '@koa/router';
import type { Deps } from '../../deps.js';
import { errors } from '../../errors.js';
import type { AppContext, AppState } from '../../middleware/context.js';

/** Headers every served upload carries: no sniffing, no active content, cached for good (names never change). */
const SERVED_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; sandbox",
  'Cache-Control': 'public, max-age=31536000, immutable',
};

/**
 * Serves `/uploads/avatars/<name>` and `/uploads/chat-images/<name>` (GET and HEAD, no auth: the
 * random names are the capability). Only names of the generated shape that exist in the uploads
 * table are served, from the folder of their kind; everything else is the contract's 404.
 * Mount before any SPA fallback.
 */
export function uploadServeRoutes(deps: Deps): Router<AppState> {
  const router = new Router<AppState>({ strict: true, sensitive: true });

  const serve = async (ctx: AppContext): Promise<void> => {
    const { folder, name } = ctx.params as { folder: string; name: string };
    // The raw path must be exactly folder/name: no encoded characters, no trailing slash.
    const exact = ctx.path === `/uploads/${folder}/${name}`;
    const file = exact ? await deps.uploads.openStored(folder, name) : undefined;
    if (!file) throw errors.notFound('File');
    ctx.set(SERVED_HEADERS);
    ctx.type = file.row.mime;
    ctx.length = file.size;
    if (ctx.method === 'HEAD') {
      await file.handle.close();
      ctx.status = 200;
      return;
    }
    // The stream closes the handle when it ends, fails, or Koa destroys it on an aborted response.
    ctx.body = file.handle.createReadStream({ start: 0, end: Math.max(0, file.size - 1) });
  };

  router.get('/uploads/:folder/:name', serve);
  return router;
}
