import type { Next } from 'koa';
import { RateLimiter } from '../lib/rateLimiter.js';
import type { AppContext } from './context.js';

/** Per-key request limit (429 + Retry-After); key by client IP unless told otherwise. */
export function rateLimit(limit: number, windowMs: number, keyOf: (ctx: AppContext) => string = (ctx) => ctx.ip) {
  const limiter = new RateLimiter(limit, windowMs);
  return async (ctx: AppContext, next: Next): Promise<void> => {
    limiter.consume(keyOf(ctx));
    await next();
  };
}
