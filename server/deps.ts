import type { Config } from './config.js';
import type { Db } from './db/schema.js';
import type { Sqlite } from './db/database.js';
import type { Logger } from './lib/logger.js';
import { EventBus } from './events.js';
import { requireUser } from './middleware/auth.js';
import { AuthService } from './modules/auth/service.js';
import { PasswordHasher } from './modules/auth/passwords.js';
import { TokenService } from './modules/auth/tokens.js';
import { NostrAuthService } from './modules/auth/nostrService.js';
import { RateLimiter } from './lib/rateLimiter.js';
import { RoomsService } from './modules/rooms/service.js';
import { RoomLog } from './modules/rooms/roomLog.js';
import { MessagesService } from './modules/messages/service.js';
import { InvitesService } from './modules/invites/service.js';
import { UploadsService } from './modules/uploads/service.js';
import { uploadCleanupJob } from './modules/uploads/cleanup.js';
import type { LlmPort } from './ai/llm.js';
import { createLlm } from './ai/openRouterLlm.js';
import { createModelCatalog, type ModelCatalog } from './ai/models.js';
import { Hub } from './realtime/hub.js';
import { WsGateway } from './realtime/gateway.js';
import { findUserById } from './modules/users/repo.js';
import { AiOrchestrator } from './ai/orchestrator.js';
import { fetchPage } from './ai/tools/fetchPage.js';
import { createSearchPort } from './ai/tools/search.js';

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
  nostrAuth: NostrAuthService;
  rooms: RoomsService;
  roomLog: RoomLog;
  messages: MessagesService;
  invites: InvitesService;
  /** Avatars and chat images: storing, serving, cleanup. */
  uploads: UploadsService;
  /** The model provider; null when OPENROUTER_API_KEY is unset (assistant disabled). */
  llm: LlmPort | null;
  /** Cached provider model list with image/tool capabilities. */
  models: ModelCatalog;
  requireUser: ReturnType<typeof requireUser>;
  /** The assistant: triggers, one streaming reply per room, tools, crash recovery. */
  ai: AiOrchestrator;
  /** WebSocket routing (hub; the orchestrator sets hub.aiStreams) and the ws gateway on /ws. */
  realtime: { hub: Hub; gateway: WsGateway };
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
  const auth = new AuthService(db, hasher, tokens, bus);
  const rooms = new RoomsService(db, bus, config);
  const roomLog = new RoomLog(db);
  const messages = new MessagesService(db, bus, rooms, config);
  const invites = new InvitesService(db, rooms, config);
  const uploads = new UploadsService(db, config.uploadDir, logger, bus);
  const uploadCleanup = uploadCleanupJob({ db, config, logger, uploads });
  const nostrAuth = new NostrAuthService({
    db,
    tokens,
    logger,
    publicUrl: config.publicUrl,
    resolvePendingInvites: (user) => invites.resolvePendingNostrInvites(user),
    onUserUpdated: (user) => bus.emit('userUpdated', { user }),
  });
  // The hub only listens to the bus; the gateway's sweep starts when it is attached to the server.
  const hub = new Hub();
  hub.subscribe(bus);
  const gateway = new WsGateway(
    { logger, tokens, users: { findById: (id) => findUserById(db, id) }, rooms, roomLog, messages, rateLimitPerMinute: config.apiRateLimit },
    hub,
  );
  const llm = createLlm(config);
  const models = createModelCatalog(config, logger);
  const ai = new AiOrchestrator({
    config,
    db,
    bus,
    logger,
    rooms,
    messages,
    llm,
    models,
    tools: { search: createSearchPort(config), fetchPage, fetchOptions: { allowPrivate: config.fetchAllowPrivate } },
  });
  hub.setAiStreams(ai);
  return {
    config,
    logger,
    db,
    sqlite,
    bus,
    tokens,
    hasher,
    auth,
    nostrAuth,
    rooms,
    roomLog,
    messages,
    invites,
    uploads,
    llm,
    models,
    ai,
    requireUser: requireUser(db, tokens, new RateLimiter(config.apiRateLimit, 60_000)),
    realtime: { hub, gateway },
    stats: { connectedClients: () => gateway.connectedClients },
    attachers: [(server) => gateway.attach(server), () => uploadCleanup.start()],
    stoppers: [() => ai.shutdown(), () => gateway.stop(), () => uploadCleanup.stop()],
  };
}
