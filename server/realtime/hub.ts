import type { EventBus } from '../events.js';
import { presentUser, type UserView } from '../modules/users/presenter.js';
import type { UserRow } from '../modules/users/repo.js';
import type { ServerFrame } from './frames.js';
import { Client, type AiStreamsPort, type SocketLike, type UserEntry } from './client.js';

export type { AiStreamsPort, SocketLike } from './client.js';
export { Client } from './client.js';

export interface HubOptions {
  /** Above this many buffered bytes lossy frames (typing) are dropped. */
  lowWatermark?: number;
  /** Above this many buffered bytes a durable frame closes the socket instead (1013). */
  highWatermark?: number;
  typingTtlMs?: number;
  /** Frames held for one socket while its join_room is being answered. */
  maxPendingFrames?: number;
  now?: () => number;
}

const TEXT = { binary: false } as const;
const encode = (frame: ServerFrame): Buffer => Buffer.from(JSON.stringify(frame));
const seqOf = (frame: ServerFrame): number => ('seq' in frame && typeof frame.seq === 'number' ? frame.seq : -1);

/**
 * Routes frames to sockets: rooms → joined sockets, users → sockets, and an index of which
 * connected users are members of which room. Each broadcast is encoded once and the same
 * buffer goes to every socket; slow sockets lose lossy frames and are closed before durable
 * frames pile up. Pure: no I/O, no timers (the gateway's sweep calls `sweepTyping`).
 */
export class Hub {
  /** Set by the AI orchestrator; null means no assistant (stop_ai answers ai_unavailable). */
  aiStreams: AiStreamsPort | null = null;
  readonly stats = { dropped: 0, kicked: 0 };
  private readonly clients = new Set<Client>();
  private readonly users = new Map<string, UserEntry>();
  private readonly joined = new Map<string, Set<Client>>();
  private readonly members = new Map<string, Set<string>>();
  /** roomId → userId → typing state. */
  private readonly typing = new Map<string, Map<string, { user: UserView; expiresAt: number }>>();
  private readonly low: number;
  private readonly high: number;
  private readonly typingTtl: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(opts: HubOptions = {}) {
    this.low = opts.lowWatermark ?? 64 * 1024;
    this.high = opts.highWatermark ?? 8 * 1024 * 1024;
    this.typingTtl = opts.typingTtlMs ?? 6_000;
    this.maxPending = opts.maxPendingFrames ?? 2_000;
    this.now = opts.now ?? Date.now;
  }

  /** Open sockets. */
  get size(): number {
    return this.clients.size;
  }

  allClients(): IterableIterator<Client> {
    return this.clients.values();
  }

  /** Delivers the bus's room frames and keeps the member index current. Returns unsubscribe. */
  subscribe(bus: EventBus): () => void {
    const offs = [
      bus.on('roomFrame', (e) => this.deliver(e.roomId, e.frame, e.audience, e.userIds)),
      bus.on('memberAdded', (e) => this.addMember(e.roomId, e.userId)),
      bus.on('memberRemoved', (e) => this.removeMember(e.roomId, e.userId)),
      bus.on('userUpdated', (e) => this.updateUser(presentUser(e.user), e.user)),
    ];
    return () => offs.forEach((off) => off());
  }

  setAiStreams(port: AiStreamsPort | null): void {
    this.aiStreams = port;
  }

  /**
   * Announces an authenticated upgrade before its socket exists, so membership changes from now
   * on are recorded. True means the caller must load the user's rooms (setMemberRooms) before
   * connecting; then connect() or release() must follow.
   */
  reserve(user: UserView, row: UserRow | null = null): boolean {
    let entry = this.users.get(user.id);
    if (!entry) {
      entry = { id: user.id, view: user, row, clients: new Set(), reserved: 0, rooms: null, queued: [] };
      this.users.set(user.id, entry);
    } else {
      entry.view = user;
      entry.row = row ?? entry.row;
    }
    entry.reserved++;
    return entry.rooms === null;
  }

  /** Drops a reservation whose upgrade did not complete. */
  release(userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    entry.reserved--;
    this.forgetIfIdle(entry);
  }

  /** Turns a reservation into a registered socket. */
  connect(socket: SocketLike, userId: string): Client {
    const entry = this.users.get(userId);
    if (!entry || entry.reserved <= 0) throw new Error('connect() without reserve()');
    entry.reserved--;
    const client = new Client(socket, entry);
    entry.clients.add(client);
    this.clients.add(client);
    return client;
  }

  /** Completes a user's membership load (the first one wins), then replays the changes announced meanwhile. */
  setMemberRooms(userId: string, roomIds: string[]): void {
    const entry = this.users.get(userId);
    if (!entry || entry.rooms) return;
    entry.rooms = new Set();
    for (const roomId of roomIds) this.indexMember(entry, roomId);
    const queued = entry.queued ?? [];
    entry.queued = null;
    for (const [added, roomId] of queued) (added ? this.addMember : this.removeMember).call(this, roomId, userId);
  }

  /** Refreshes the user shown in typing frames (after a profile change is noticed). */
  updateUser(user: UserView, row?: UserRow): void {
    const entry = this.users.get(user.id);
    if (!entry) return;
    entry.view = user;
    if (row) entry.row = row;
  }

  /** Removes a socket everywhere (idempotent). */
  disconnect(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    for (const roomId of [...client.joined]) this.leave(client, roomId);
    client.pending = null;
    client.queue = null;
    this.clients.delete(client);
    client.user.clients.delete(client);
    this.forgetIfIdle(client.user);
  }

  /** Closes a socket after removing it (slow consumer, server shutdown, dead peer). */
  kick(client: Client, code: number, reason: string): void {
    this.disconnect(client);
    client.socket.close(code, reason);
  }

  /** True when the hub knows (or cannot yet know) that the user is a member. */
  mayBeMember(userId: string, roomId: string): boolean {
    const rooms = this.users.get(userId)?.rooms;
    return !rooms || rooms.has(roomId);
  }

  /**
   * Starts a join: the socket is subscribed at once but its frames for the room are held until
   * finishJoin, so frames committed while the replay is read arrive after room_joined, in order.
   */
  beginJoin(client: Client, roomId: string): boolean {
    if (client.closed || !this.mayBeMember(client.userId, roomId)) return false;
    client.pending ??= new Map();
    if (!client.pending.has(roomId)) client.pending.set(roomId, []);
    client.joined.add(roomId);
    let set = this.joined.get(roomId);
    if (!set) this.joined.set(roomId, (set = new Set()));
    set.add(client);
    return true;
  }

  /** Sends room_joined, then the held frames newer than its lastSeq. False if the join was cancelled meanwhile. */
  finishJoin(client: Client, roomId: string, joinedFrame: Extract<ServerFrame, { type: 'room_joined' }>): boolean {
    const held = client.pending?.get(roomId);
    if (client.closed || !held || !client.joined.has(roomId)) return false;
    client.pending!.delete(roomId);
    if (client.pending!.size === 0) client.pending = null;
    this.write(client, encode(joinedFrame), false);
    for (const f of held) if (f.seq < 0 || f.seq > joinedFrame.lastSeq) this.write(client, f.data, false);
    return true;
  }

  leave(client: Client, roomId: string): void {
    client.pending?.delete(roomId);
    if (client.pending?.size === 0) client.pending = null;
    if (!client.joined.delete(roomId)) return;
    const set = this.joined.get(roomId);
    set?.delete(client);
    if (set?.size === 0) this.joined.delete(roomId);
    const stillThere = [...client.user.clients].some((c) => c !== client && c.joined.has(roomId));
    if (!stillThere) this.stopTyping(client.userId, roomId);
  }

  /** Sends one frame to one socket (answers: room_joined, message_ack, error, pong). */
  send(client: Client, frame: ServerFrame): void {
    this.write(client, encode(frame), false);
  }

  /** Delivers a room frame to its audience, encoded once. */
  deliver(roomId: string, frame: ServerFrame, audience: 'joined' | 'members', userIds?: string[]): void {
    const data = encode(frame);
    const seq = seqOf(frame);
    const lossy = frame.type === 'typing';
    if (audience === 'joined') {
      const set = this.joined.get(roomId);
      if (set) for (const client of set) this.route(client, roomId, seq, data, lossy);
      if (frame.type === 'message') this.announceActivity(roomId, frame.seq);
      return;
    }
    const memberIds = this.members.get(roomId);
    if (memberIds) for (const uid of memberIds) this.toUser(uid, roomId, seq, data);
    if (userIds) for (const uid of userIds) if (!memberIds?.has(uid)) this.toUser(uid, roomId, seq, data);
  }

  /** Typing from a joined socket, relayed to the room's other sockets. False if the socket has not joined. */
  setTyping(client: Client, roomId: string, isTyping: boolean): boolean {
    if (!client.joined.has(roomId)) return false;
    let room = this.typing.get(roomId);
    if (isTyping) {
      if (!room) this.typing.set(roomId, (room = new Map()));
      room.set(client.userId, { user: client.user.view, expiresAt: this.now() + this.typingTtl });
    } else if (!room?.delete(client.userId)) return true;
    if (room?.size === 0) this.typing.delete(roomId);
    this.toJoined(roomId, { type: 'typing', roomId, user: client.user.view, isTyping }, client);
    return true;
  }

  /** Ends a user's typing in a room (message sent, socket left), telling the room. */
  stopTyping(userId: string, roomId: string): void {
    const room = this.typing.get(roomId);
    const state = room?.get(userId);
    if (!room || !state) return;
    room.delete(userId);
    if (room.size === 0) this.typing.delete(roomId);
    this.toJoined(roomId, { type: 'typing', roomId, user: state.user, isTyping: false }, null);
  }

  /** Users typing in a room now (for room_joined), the asking user left out. */
  typingUsers(roomId: string, exceptUserId: string): UserView[] {
    const out: UserView[] = [];
    for (const [uid, s] of this.typing.get(roomId) ?? []) if (uid !== exceptUserId) out.push(s.user);
    return out;
  }

  /** Expires typing states not refreshed in time; called by the gateway's shared sweep. */
  sweepTyping(now = this.now()): void {
    for (const [roomId, room] of this.typing) {
      for (const [uid, s] of room) if (s.expiresAt <= now) this.stopTyping(uid, roomId);
    }
  }

  private addMember(roomId: string, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    if (!entry.rooms) entry.queued!.push([true, roomId]);
    else this.indexMember(entry, roomId);
  }

  /** The user's sockets leave the room at once (they were told by member_left/room_deleted first). */
  private removeMember(roomId: string, userId: string): void {
    const entry = this.users.get(userId);
    if (!entry) return;
    for (const client of entry.clients) this.leave(client, roomId);
    if (!entry.rooms) entry.queued!.push([false, roomId]);
    else if (entry.rooms.delete(roomId)) this.unindexMember(userId, roomId);
  }

  private forgetIfIdle(entry: UserEntry): void {
    if (entry.clients.size > 0 || entry.reserved > 0 || this.users.get(entry.id) !== entry) return;
    this.users.delete(entry.id);
    for (const roomId of entry.rooms ?? []) this.unindexMember(entry.id, roomId);
  }

  private indexMember(entry: UserEntry, roomId: string): void {
    entry.rooms!.add(roomId);
    let set = this.members.get(roomId);
    if (!set) this.members.set(roomId, (set = new Set()));
    set.add(entry.id);
  }

  private unindexMember(userId: string, roomId: string): void {
    const set = this.members.get(roomId);
    set?.delete(userId);
    if (set?.size === 0) this.members.delete(roomId);
  }

  private toUser(userId: string, roomId: string, seq: number, data: Buffer): void {
    const entry = this.users.get(userId);
    if (entry) for (const client of entry.clients) this.route(client, roomId, seq, data, false);
  }

  private toJoined(roomId: string, frame: ServerFrame, except: Client | null): void {
    const set = this.joined.get(roomId);
    if (!set) return;
    const data = encode(frame);
    for (const client of set) if (client !== except) this.route(client, roomId, -1, data, true);
  }

  /** room_activity to member sockets that have not joined (nor are joining) the room. */
  private announceActivity(roomId: string, lastSeq: number): void {
    const memberIds = this.members.get(roomId);
    if (!memberIds) return;
    let data: Buffer | null = null;
    for (const uid of memberIds) {
      for (const client of this.users.get(uid)?.clients ?? []) {
        if (client.joined.has(roomId)) continue;
        data ??= encode({ type: 'room_activity', roomId, lastSeq });
        this.write(client, data, false);
      }
    }
  }

  private route(client: Client, roomId: string, seq: number, data: Buffer, lossy: boolean): void {
    const held = client.pending?.get(roomId);
    if (!held) return this.write(client, data, lossy);
    if (held.length >= this.maxPending) return this.slow(client);
    held.push({ seq, data });
  }

  private write(client: Client, data: Buffer, lossy: boolean): void {
    if (client.closed) return;
    const buffered = client.socket.bufferedAmount;
    if (buffered > this.low) {
      if (lossy) {
        this.stats.dropped++;
        return;
      }
      if (buffered > this.high) return this.slow(client);
    }
    client.socket.send(data, TEXT);
  }

  private slow(client: Client): void {
    this.stats.kicked++;
    this.kick(client, 1013, 'slow consumer');
  }
}
