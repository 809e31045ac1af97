import type { Next } from 'koa';
import type { Db } from '../db/schema.js';
import { errors } from '../errors.js';
import type { RateLimiter } from '../lib/rateLimiter.js';
import type { TokenService } from '../modules/auth/tokens.js';
import { findUserById } from '../modules/users/repo.js';
import type { AppContext } from './context.js';

/** Reads the bearer token from an Authorization header value. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/**
 * Requires a valid token for an existing user (anything else is 401 unauthorized), then counts
 * the request against the user's API rate limit.
 */
export function requireUser(db: Db, tokens: TokenService, limiter?: RateLimiter) {
  return async (ctx: AppContext, next: Next): Promise<void> => {
    const userId = tokens.verify(bearerToken(ctx.get('authorization')));
    const user = userId ? await findUserById(db, userId) : undefined;
    if (!user) throw errors.unauthorized('Missing, invalid or expired token');
    ctx.state.user = user;
    limiter?.consume(user.id);
    await next();
  };
}
