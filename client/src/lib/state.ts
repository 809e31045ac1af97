import { createStore } from './store.js';
import type { Route } from './router.js';
import type { SocketStatus } from './socket.js';
import { emptyTimeline, type Timeline } from './timeline.js';
import type { Streams } from './streams.js';
import type { Member, Room, User } from './types.js';

/** Everything the client knows about one room it has opened. */
export interface RoomState {
  timeline: Timeline;
  streams: Streams;
  /** Who is typing, by user id. */
  typing: Readonly<Record<string, User>>;
  members: Member[] | null;
  loadingOlder: boolean;
  /** Failures of assistant replies that produced no message (ai_stream_end with an error). */
  aiErrors: Array<{ streamId: string; message: string }>;
}

export interface AppState {
  token: string | null;
  user: User | null;
  /** False until the stored token was checked at start. */
  ready: boolean;
  route: Route;
  rooms: Readonly<Record<string, Room>>;
  /** Room ids, most recent activity first. */
  roomOrder: readonly string[];
  unread: Readonly<Record<string, boolean>>;
  roomStates: Readonly<Record<string, RoomState>>;
  connection: SocketStatus;
  /** A global error or notice shown in the status bar. */
  notice: string | null;
}

export function emptyRoomState(): RoomState {
  return { timeline: emptyTimeline(), streams: {}, typing: {}, members: null, loadingOlder: false, aiErrors: [] };
}

/** The app's single store. */
export const store = createStore<AppState>({
  token: null,
  user: null,
  ready: false,
  route: { name: 'home' },
  rooms: {},
  roomOrder: [],
  unread: {},
  roomStates: {},
  connection: 'closed',
  notice: null,
});

/** Updates one room's state (created on first use). */
export function updateRoomState(roomId: string, fn: (r: RoomState) => RoomState): void {
  store.set((s) => {
    const cur = s.roomStates[roomId] ?? emptyRoomState();
    const next = fn(cur);
    return next === cur ? {} : { roomStates: { ...s.roomStates, [roomId]: next } };
  });
}

/** Rooms for the sidebar: most recent activity first. */
export function orderedRooms(s: Pick<AppState, 'rooms' | 'roomOrder'>): Room[] {
  return s.roomOrder.map((id) => s.rooms[id]).filter((r): r is Room => !!r);
}

/** Adds or replaces a room; `toFront` moves it to the top of the list (new activity). */
export function putRoom(room: Room, toFront = false): void {
  store.set((s) => {
    const known = s.roomOrder.includes(room.id);
    const roomOrder = toFront || !known ? [room.id, ...s.roomOrder.filter((id) => id !== room.id)] : s.roomOrder;
    return { rooms: { ...s.rooms, [room.id]: room }, roomOrder };
  });
}

/** Forgets a room (deleted, left, removed from it). */
export function dropRoom(roomId: string): void {
  store.set((s) => {
    const { [roomId]: _r, ...rooms } = s.rooms;
    const { [roomId]: _s, ...roomStates } = s.roomStates;
    const { [roomId]: _u, ...unread } = s.unread;
    return { rooms, roomStates, unread, roomOrder: s.roomOrder.filter((id) => id !== roomId) };
  });
}
