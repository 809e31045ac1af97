import type { ParameterizedContext } from 'koa';
import type { UserRow } from '../modules/users/repo.js';

/** Per-request state shared by middleware and routes. */
export interface AppState {
  requestId: string;
  user?: UserRow;
}

export type AppContext = ParameterizedContext<AppState>;

/** The signed-in user of a route behind requireUser. */
export function currentUser(ctx: AppContext): UserRow {
  if (!ctx.state.user) throw new Error('currentUser() used on a route without requireUser');
  return ctx.state.user;
}
