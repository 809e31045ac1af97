import type { Next } from 'koa';
import { AppError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import type { AppContext } from './context.js';

/**
 * Renders every failure as the contract's `{error: {code, message, details?}}`. AppErrors and the
 * body parser's client errors keep their status; anything else is logged with the request id and
 * answered as a generic 500.
 */
export function errorHandler(logger: Logger) {
  return async (ctx: AppContext, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'not_found', 'Route not found');
      }
      if (ctx.status === 405 || ctx.status === 501) {
        // The router's allowedMethods() answers in plain text; keep the contract's error shape.
        throw new AppError(ctx.status, 'method_not_allowed', `${ctx.method} is not allowed here`);
      }
    } catch (err) {
      const e = toAppError(err);
      if (e.status >= 500 && !(err instanceof AppError)) {
        logger.error({ err, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path }, 'unhandled error');
      }
      ctx.status = e.status;
      if (e.headers) ctx.set(e.headers);
      ctx.body = { error: { code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) } };
    }
  };
}

/** Maps thrown values (ours, koa-body/raw-body http-errors, anything) to an AppError. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const e = err as { status?: number; statusCode?: number; type?: string; expose?: boolean; message?: string };
  const status = e?.status ?? e?.statusCode;
  if (status === 413 || e?.type === 'entity.too.large') return new AppError(413, 'payload_too_large', 'Request body too large');
  if (status === 415) return new AppError(415, 'unsupported_media_type', 'Unsupported content type');
  if (status && status >= 400 && status < 500) {
    const msg = e.type === 'entity.parse.failed' || /JSON|Unexpected token/i.test(String(e.message))
      ? 'body: malformed JSON'
      : `body: ${e.expose && e.message ? e.message : 'invalid request'}`;
    return new AppError(400, 'invalid_input', msg);
  }
  return new AppError(500, 'internal_error', 'Something went wrong on our side');
}
