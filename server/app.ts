import Koa from 'koa';
import type { Deps } from './deps.js';
import type { AppState } from './middleware/context.js';
import { jsonBody } from './middleware/bodyParser.js';
import { errorHandler } from './middleware/errorHandler.js';
import { requestLog } from './middleware/requestLog.js';
import { staticFiles } from './middleware/staticFiles.js';
import { authRoutes } from './modules/auth/routes.js';
import { nostrRoutes } from './modules/auth/nostrRoutes.js';
import { healthRoutes } from './modules/health/routes.js';
import { modelRoutes } from './modules/models/routes.js';
import { roomRoutes } from './modules/rooms/routes.js';
import { messageRoutes } from './modules/messages/routes.js';
import { inviteRoutes } from './modules/invites/routes.js';
import { uploadRoutes } from './modules/uploads/routes.js';
import { uploadServeRoutes } from './modules/uploads/serve.js';

/** Builds the Koa application (middleware and routes); never listens. */
export function createApp(deps: Deps): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: deps.config.trustProxy });
  // Errors after the response started (a client closing a streamed file early, a reset socket):
  // structured logs instead of Koa's console.error; client aborts are routine, not errors.
  app.on('error', (err: NodeJS.ErrnoException) => {
    const aborted = ['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(err.code ?? '');
    if (aborted) deps.logger.debug({ code: err.code }, 'client closed the response early');
    else deps.logger.error({ err }, 'response failed');
  });
  app.use(requestLog(deps.logger));
  app.use(errorHandler(deps.logger));
  // JSON bodies only here; upload routes parse their own multipart with hard limits.
  app.use(jsonBody('64kb'));
  for (const router of [healthRoutes(deps), authRoutes(deps), nostrRoutes(deps), roomRoutes(deps), messageRoutes(deps), inviteRoutes(deps), modelRoutes(deps), uploadRoutes(deps), uploadServeRoutes(deps)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  // Last: the web client (SPA) for whatever no API router answered.
  if (deps.config.staticDir) app.use(staticFiles(deps.config.staticDir, deps.logger));
  return app;
}
