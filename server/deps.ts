import type { Config } from './config.js';
import type { Db } from './db/schema.js';
import type { Sqlite } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { EventBus } from './events.js';
import { requireUser } from './middleware/auth.js';
import { AuthService } from './modules/auth/service.js';
import { PasswordHasher } from './modules/auth/passwords.js';
import { TokenService } from './modules/auth/tokens.js';

/** Composition root: every service and port, built once per server. */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Db;
  sqlite: Sqlite;
  bus: EventBus;
  tokens: TokenService;
  hasher: PasswordHasher;
  auth: AuthService;
  requireUser: ReturnType<typeof requireUser>;
  /** Live figures the health route reports (set by the realtime gateway). */
  stats: { connectedClients: () => number };
  /** Hooks given the HTTP server before it listens (the WebSocket gateway's upgrade handler). */
  attachers: Array<(server: import('node:http').Server) => void>;
  /** Background work (timers, sockets, streams) to stop on shutdown, in order. */
  stoppers: Array<() => void | Promise<void>>;
}

/** Builds the dependency graph for one server instance; starts no timers or sockets itself. */
export function createDeps(config: Config, logger: Logger, db: Db, sqlite: Sqlite): Deps {
  const bus = new EventBus((err, event) => logger.error({ err, event }, 'event listener failed'));
  const tokens = new TokenService(config.jwtSecret, config.jwtTtlSeconds);
  const hasher = new PasswordHasher();
  const auth = new AuthService(db, hasher, tokens);
  return {
    config,
    logger,
    db,
    sqlite,
    bus,
    tokens,
    hasher,
    auth,
    requireUser: requireUser(db, tokens),
    stats: { connectedClients: () => 0 },
    attachers: [],
    stoppers: [],
  };
}
