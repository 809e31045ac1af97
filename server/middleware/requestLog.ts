import type { Next } from 'koa';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../lib/logger.js';
import type { AppContext } from './context.js';

/** One log line per request with a request id; logs the path only, never query strings or headers. */
export function requestLog(logger: Logger) {
  return async (ctx: AppContext, next: Next): Promise<void> => {
    const start = process.hrtime.bigint();
    ctx.state.requestId = randomBytes(6).toString('hex');
    ctx.set('X-Request-Id', ctx.state.requestId);
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info(
        { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10, userId: ctx.state.user?.id },
        'request',
      );
    }
  };
}
