import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError } from '../errors.js';
import type { Logger } from '../lib/logger.js';
import { RateLimiter } from '../lib/rateLimiter.js';
import type { MessageView } from '../modules/messages/presenter.js';
import type { SendInput } from '../modules/messages/schema.js';
import { presentUser } from '../modules/users/presenter.js';
import type { UserRow } from '../modules/users/repo.js';
import type { RoomChangeFrame } from './frames.js';
import type { Client, Hub } from './hub.js';
import { parseClientFrame, type ClientFrame } from './protocol.js';

/** What the gateway needs from the rest of the server (a subset of Deps, read at call time). */
export interface GatewayDeps {
  logger: Logger;
  tokens: { verify(token: string | null | undefined): string | null };
  users: { findById(userId: string): Promise<UserRow | undefined> };
  rooms: {
    requireMember(roomId: string, userId: string): Promise<{ room: { last_seq: number } }>;
    roomIdsOf(userId: string): Promise<string[]>;
  };
  roomLog: { since(roomId: string, lastSeq: number): Promise<{ frames: RoomChangeFrame[]; resync: boolean; lastSeq: number }> };
  messages: { send(user: UserRow, roomId: string, input: SendInput): Promise<{ message: MessageView; created: boolean }> };
  /** send_message and typing frames allowed per user per minute (each counted separately). */
  rateLimitPerMinute: number;
}

export interface GatewayOptions {
  maxPayload?: number;
  /** The shared sweep's period (typing expiry); heartbeats run every heartbeatMs within it. */
  tickMs?: number;
  heartbeatMs?: number;
  /** Upgrades waiting for their user lookup; more are refused with 503. */
  maxPendingUpgrades?: number;
  /** Requests one socket may have waiting; more are answered rate_limited. */
  maxQueue?: number;
}

const CLIENT = Symbol('client');
type Ws = WebSocket & { [CLIENT]?: Client };
const noop = () => {};

function refuse(socket: Duplex, status: number): void {
  socket.once('finish', socket.destroy);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The `ws` glue: authenticates upgrades on /ws, turns client frames into service calls, answers
 * on the socket, and runs the one shared sweep (typing expiry, heartbeat). Routing lives in the hub.
 */
export class WsGateway {
  private readonly wss: WebSocketServer;
  private readonly sendLimiter: RateLimiter;
  private readonly typingLimiter: RateLimiter;
  private readonly opts: Required<GatewayOptions>;
  private timer: NodeJS.Timeout | null = null;
  private lastBeat = Date.now();
  private pendingUpgrades = 0;
  private stopping = false;
  private server: Server | null = null;
  // Listeners shared by every socket (`this` is the socket): no per-socket closures.
  private readonly onMessage: (this: Ws, data: Buffer, isBinary: boolean) => void;
  private readonly onClose: (this: Ws) => void;
  private readonly onPong: (this: Ws) => void;
  private readonly onError: (this: Ws, err: Error) => void;

  constructor(private readonly deps: GatewayDeps, private readonly hub: Hub, opts: GatewayOptions = {}) {
    this.opts = { maxPayload: 64 * 1024, tickMs: 1_000, heartbeatMs: 30_000, maxPendingUpgrades: 256, maxQueue: 32, ...opts };
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.opts.maxPayload, clientTracking: false, perMessageDeflate: false });
    this.sendLimiter = new RateLimiter(deps.rateLimitPerMinute, 60_000);
    this.typingLimiter = new RateLimiter(deps.rateLimitPerMinute, 60_000);
    const gw = this;
    this.onMessage = function (data, isBinary) {
      const client = this[CLIENT];
      if (client) gw.receive(client, data, isBinary);
    };
    this.onClose = function () {
      if (this[CLIENT]) hub.disconnect(this[CLIENT]);
    };
    this.onPong = function () {
      if (this[CLIENT]) this[CLIENT].alive = true;
    };
    this.onError = function (err) {
      // Oversize (1009) or malformed frames: ws closes the socket itself; others are unaffected.
      gw.deps.logger.debug({ err: err.message, userId: this[CLIENT]?.userId }, 'websocket error');
    };
  }

  /** Open sockets (the health route's connectedClients). */
  get connectedClients(): number {
    return this.hub.size;
  }

  /** Listens for upgrades on the HTTP server and starts the shared sweep. */
  attach(server: Server): void {
    this.server = server;
    server.on('upgrade', this.handleUpgrade);
    this.timer = setInterval(() => this.tick(Date.now()), this.opts.tickMs);
    this.timer.unref();
  }

  /** One sweep: expire typing; every heartbeatMs, terminate sockets that missed a pong and ping the rest. */
  tick(now: number): void {
    this.hub.sweepTyping(now);
    if (now - this.lastBeat >= this.opts.heartbeatMs) {
      this.lastBeat = now;
      this.heartbeat();
    }
  }

  heartbeat(): void {
    for (const client of this.hub.allClients()) {
      const ws = client.socket as Ws;
      if (!client.alive) {
        this.hub.disconnect(client);
        ws.terminate();
        continue;
      }
      client.alive = false;
      ws.ping();
    }
  }

  /** Closes every socket with 1001 (waiting briefly for the close handshake) and stops the sweep. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.server?.off('upgrade', this.handleUpgrade);
    const sockets: Ws[] = [];
    for (const client of [...this.hub.allClients()]) {
      sockets.push(client.socket as Ws);
      this.hub.kick(client, 1001, 'server shutting down');
    }
    const open = sockets.filter((ws) => ws.readyState !== WebSocket.CLOSED);
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(open.map((ws) => new Promise((resolve) => ws.once('close', resolve)))),
      new Promise((resolve) => (timeout = setTimeout(resolve, 2_000))),
    ]);
    clearTimeout(timeout);
    for (const ws of open) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  }

  /** Auth happens here, before any WebSocket exists; the query string (the token) is never logged. */
  private readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', noop);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if ((q < 0 ? url : url.slice(0, q)) !== '/ws') return refuse(socket, 404);
    if (this.stopping) return refuse(socket, 503);
    const userId = this.deps.tokens.verify(q < 0 ? null : new URLSearchParams(url.slice(q + 1)).get('token'));
    if (!userId) return refuse(socket, 401);
    if (this.pendingUpgrades >= this.opts.maxPendingUpgrades) return refuse(socket, 503);
    this.pendingUpgrades++;
    this.authorize(userId).then(
      (user) => {
        this.pendingUpgrades--;
        if (!user) return refuse(socket, 401);
        if (this.stopping || socket.destroyed) {
          this.hub.release(user.id);
          return refuse(socket, 503);
        }
        socket.off('error', noop);
        let opened = false;
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          opened = true;
          this.open(ws as Ws, user.id);
        });
        if (!opened) this.hub.release(user.id); // ws refused the handshake (bad headers) itself
      },
      (err) => {
        this.pendingUpgrades--;
        this.deps.logger.error({ err }, 'websocket upgrade failed');
        refuse(socket, 500);
      },
    );
  };

  /**
   * Looks the user up and, before the socket exists, makes sure the hub knows their rooms: a
   * connected socket then receives every member frame from its first moment.
   */
  private async authorize(userId: string): Promise<UserRow | undefined> {
    const user = await this.deps.users.findById(userId);
    if (!user) return undefined;
    if (this.hub.reserve(presentUser(user), user)) {
      try {
        this.hub.setMemberRooms(user.id, await this.deps.rooms.roomIdsOf(user.id));
      } catch (err) {
        this.hub.release(user.id);
        throw err;
      }
    }
    return user;
  }

  private open(ws: Ws, userId: string): void {
    const client = this.hub.connect(ws, userId);
    ws[CLIENT] = client;
    ws.on('message', this.onMessage);
    ws.on('close', this.onClose);
    ws.on('pong', this.onPong);
    ws.on('error', this.onError);
  }

  private receive(client: Client, data: Buffer, isBinary: boolean): void {
    if (client.closed) return;
    if (isBinary) return this.fail(client, 'invalid_input', 'frame: must be a JSON text frame');
    const parsed = parseClientFrame(data.toString());
    if (!parsed.ok) return this.hub.send(client, { type: 'error', ...parsed.error });
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        return this.hub.send(client, { type: 'pong' });
      case 'typing': {
        const retry = this.typingLimiter.hit(client.userId);
        if (retry > 0) return this.fail(client, 'rate_limited', `Too many typing frames, retry in ${Math.ceil(retry)} s`, frame);
        if (!this.hub.setTyping(client, frame.roomId, frame.isTyping)) this.fail(client, 'not_found', 'Room not joined', frame);
        return;
      }
      case 'send_message': {
        const retry = this.sendLimiter.hit(client.userId);
        if (retry > 0) return this.fail(client, 'rate_limited', `Too many messages, retry in ${Math.ceil(retry)} s`, frame);
        break;
      }
      case 'leave_room':
        if (client.queue === null) return this.hub.leave(client, frame.roomId);
        break;
    }
    this.enqueue(client, frame);
  }

  /** Requests from one socket run in order (a send never overtakes an earlier send or join). */
  private enqueue(client: Client, frame: ClientFrame): void {
    if (client.queue === null) {
      client.queue = [frame];
      void this.drain(client);
    } else if (client.queue.length >= this.opts.maxQueue) {
      this.fail(client, 'rate_limited', 'Too many requests in flight', frame);
    } else client.queue.push(frame);
  }

  private async drain(client: Client): Promise<void> {
    while (client.queue && client.queue.length > 0) {
      const frame = client.queue[0] as ClientFrame;
      try {
        await this.handle(client, frame);
      } catch (err) {
        if (err instanceof AppError) this.fail(client, err.code, err.message, frame);
        else {
          this.deps.logger.error({ err, userId: client.userId, requestType: frame.type }, 'websocket request failed');
          this.fail(client, 'internal_error', 'Internal error', frame);
        }
      }
      client.queue?.shift();
    }
    client.queue = null;
  }

  private async handle(client: Client, frame: ClientFrame): Promise<void> {
    if (client.closed) return;
    const userId = client.userId;
    switch (frame.type) {
      case 'join_room': {
        const { room } = await this.deps.rooms.requireMember(frame.roomId, userId);
        if (!this.hub.beginJoin(client, frame.roomId)) throw new AppError(404, 'not_found', 'Room not found');
        let log;
        try {
          log = await this.deps.roomLog.since(frame.roomId, frame.lastSeq ?? room.last_seq);
        } catch (err) {
          this.hub.leave(client, frame.roomId);
          throw err;
        }
        const joined = this.hub.finishJoin(client, frame.roomId, {
          type: 'room_joined',
          roomId: frame.roomId,
          lastSeq: log.lastSeq,
          replayed: log.frames,
          resync: log.resync,
          typing: this.hub.typingUsers(frame.roomId, userId),
          aiStreams: this.hub.aiStreams?.snapshot(frame.roomId) ?? [],
        });
        if (!joined && !client.closed) throw new AppError(404, 'not_found', 'Room not found');
        return;
      }
      case 'leave_room':
        return this.hub.leave(client, frame.roomId);
      case 'send_message': {
        // The row loaded at connect, kept current by userUpdated events: no re-read per send.
        const user = client.user.row ?? (await this.deps.users.findById(userId));
        if (!user) return this.hub.kick(client, 4401, 'user no longer exists');
        const { type: _t, roomId, ...input } = frame;
        const { message } = await this.deps.messages.send(user, roomId, input);
        this.hub.stopTyping(userId, roomId);
        return this.hub.send(client, { type: 'message_ack', clientId: frame.clientId ?? null, message });
      }
      case 'stop_ai': {
        await this.deps.rooms.requireMember(frame.roomId, userId);
        if (!this.hub.aiStreams) throw new AppError(503, 'ai_unavailable', 'The assistant is not configured');
        this.hub.aiStreams.stop(frame.roomId, userId);
        return;
      }
    }
  }

  private fail(client: Client, code: string, message: string, frame?: ClientFrame): void {
    const error: { type: 'error'; code: string; message: string; requestType?: string; clientId?: string } = { type: 'error', code, message };
    if (frame) error.requestType = frame.type;
    if (frame && 'clientId' in frame && frame.clientId) error.clientId = frame.clientId;
    this.hub.send(client, error);
  }
}
