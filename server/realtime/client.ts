/** Per-socket and per-user state the hub keeps, and the two ports it talks through. */
import type { UserView } from '../modules/users/presenter.js';
import type { UserRow } from '../modules/users/repo.js';
import type { AiStreamSnapshot } from './frames.js';

/** The only thing the hub knows about a socket (a `ws` WebSocket satisfies it as is). */
export interface SocketLike {
  send(data: string | Buffer, opts?: { binary?: boolean }): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount: number;
}

/** Replies streaming right now, filled by the AI orchestrator; empty until one is set. */
export interface AiStreamsPort {
  snapshot(roomId: string): AiStreamSnapshot[];
  /** Stops the reply streaming in the room on behalf of userId; false when none streams. */
  stop(roomId: string, userId: string): boolean;
}

/** A user with a socket or an upgrade in progress; `rooms` is null until the first membership load. */
export interface UserEntry {
  id: string;
  view: UserView;
  /** The user's row as last loaded or announced (userUpdated); sends use it without a re-read. */
  row: UserRow | null;
  clients: Set<Client>;
  /** Upgrades authenticated but not yet connected. */
  reserved: number;
  rooms: Set<string> | null;
  /** Membership changes seen while loading, applied after the load ([true, roomId] = added). */
  queued: Array<[boolean, string]> | null;
}

export type Pending = Map<string, Array<{ seq: number; data: Buffer }>>;

/** Per-socket state, kept small: ids, sets and flags, no closures or timers. */
export class Client {
  readonly joined = new Set<string>();
  /** Rooms whose join is being answered: frames wait here so replay and live frames stay in order. */
  pending: Pending | null = null;
  closed = false;
  /** Heartbeat flag, cleared by the sweep and set again by a pong. */
  alive = true;
  /** Async requests waiting to run in order (null when idle); owned by the gateway. */
  queue: unknown[] | null = null;

  constructor(readonly socket: SocketLike, readonly user: UserEntry) {}

  get userId(): string {
    return this.user.id;
  }
}
