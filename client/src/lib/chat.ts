import { api, ApiError, errorMessage, tokenStore } from './api.js';
import { ChatSocket } from './socket.js';
import { dropRoom, emptyRoomState, putRoom, store, updateRoomState, type RoomState } from './state.js';
import { applySnapshots, applyStreamFrame } from './streams.js';
import { applyChange, applyJoined, applyNewestPage, applyOlderPage, joinCursor, mergeMessages } from './timeline.js';
import { markRead } from './unread.js';
import type { Member, RoomChangeFrame, ServerFrame, User } from './types.js';

/**
 * The realtime side of the client: one socket, the open room's subscription, and every server
 * frame applied to the store. Only the open room is joined; leaving keeps its timeline and cursor,
 * so coming back (or reconnecting) replays exactly what was missed.
 */
const joined = new Set<string>();
/** Highest seq whose room/membership effects were applied, per room (they also come unjoined). */
const sideSeq = new Map<string, number>();
let wanted: string | null = null;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
const TYPING_TTL_MS = 8_000;

const socket = new ChatSocket({
  url: () => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${proto}//${location.host}/ws?token=${encodeURIComponent(tokenStore.get() ?? '')}`;
  },
  onFrame: (f) => handleFrame(f),
  onStatus: (connection) => {
    if (connection !== 'open') joined.clear();
    store.set({ connection });
  },
  onOpen: () => {
    if (wanted) sendJoin(wanted);
  },
  onConnectFailed: (n) => {
    // Repeated refusals may mean the token expired: a REST call signs out on 401.
    if (n >= 2) api.me().catch(() => {});
  },
});

if (typeof window !== 'undefined') window.addEventListener('online', () => socket.reconnectNow());

export const realtime = {
  start: () => socket.start(),
  stop: () => {
    socket.stop();
    joined.clear();
    sideSeq.clear();
    wanted = null;
  },
  send: socket.send.bind(socket),
};

function roomState(roomId: string): RoomState {
  return store.get().roomStates[roomId] ?? emptyRoomState();
}

function sendJoin(roomId: string): void {
  socket.send({ type: 'join_room', roomId, lastSeq: joinCursor(store.get().roomStates[roomId]?.timeline) });
}

/** Opens a room: subscribes to it (leaving the previous one) and loads what is not loaded yet. */
export async function openRoom(roomId: string | null): Promise<void> {
  if (wanted === roomId) return;
  if (wanted) {
    socket.send({ type: 'leave_room', roomId: wanted });
    joined.delete(wanted);
  }
  wanted = roomId;
  if (!roomId) return;
  sendJoin(roomId);
  markRead(roomId);
  try {
    const { room, members } = await api.room(roomId);
    sideSeq.set(roomId, Math.max(sideSeq.get(roomId) ?? 0, room.lastSeq)); // the answer reflects those
    putRoom(room);
    updateRoomState(roomId, (r) => ({ ...r, members }));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) leftRoom(roomId, 'That room does not exist or you are not a member');
    else store.set({ notice: errorMessage(err) });
    return;
  }
  if (roomState(roomId).timeline.messages.length === 0) await loadNewest(roomId);
}

async function loadNewest(roomId: string, replaceUpTo?: number): Promise<void> {
  try {
    const page = await api.messages(roomId, { limit: 50 });
    updateRoomState(roomId, (r) => ({ ...r, timeline: applyNewestPage(r.timeline, page.messages, page.hasMore, replaceUpTo) }));
  } catch (err) {
    store.set({ notice: errorMessage(err) });
  }
}

/** Loads the page before the oldest message held (infinite scroll back). */
export async function loadOlder(roomId: string): Promise<void> {
  const r = roomState(roomId);
  if (r.loadingOlder || !r.timeline.hasMore) return;
  const oldest = r.timeline.messages[0];
  updateRoomState(roomId, (s) => ({ ...s, loadingOlder: true }));
  try {
    const page = oldest ? await api.messages(roomId, { before: oldest.seq, limit: 50 }) : await api.messages(roomId, { limit: 50 });
    updateRoomState(roomId, (s) => ({ ...s, loadingOlder: false, timeline: applyOlderPage(s.timeline, page.messages, page.hasMore) }));
  } catch (err) {
    updateRoomState(roomId, (s) => ({ ...s, loadingOlder: false }));
    store.set({ notice: errorMessage(err) });
  }
}

/** Sends over REST (clear errors, idempotent by clientId); the live frame is deduplicated by id. */
export async function sendMessage(roomId: string, input: { content: string; replyTo?: string; attachments?: string[] }): Promise<void> {
  const clientId = crypto.randomUUID();
  const { message } = await api.sendMessage(roomId, { ...input, clientId });
  updateRoomState(roomId, (r) => ({ ...r, timeline: mergeMessages(r.timeline, [message]) }));
}

export function setTyping(roomId: string, isTyping: boolean): void {
  socket.send({ type: 'typing', roomId, isTyping });
}

export function stopAi(roomId: string): void {
  if (!socket.send({ type: 'stop_ai', roomId })) store.set({ notice: 'Not connected: cannot stop the reply right now' });
}

export function dismissAiError(roomId: string, streamId: string): void {
  updateRoomState(roomId, (r) => ({ ...r, aiErrors: r.aiErrors.filter((e) => e.streamId !== streamId) }));
}

function upsertMember(members: Member[] | null, m: Member): Member[] | null {
  if (!members) return members;
  const rest = members.filter((x) => x.user.id !== m.user.id);
  return [...rest, m];
}

function setMemberCount(roomId: string, delta: number): void {
  const room = store.get().rooms[roomId];
  const members = store.get().roomStates[roomId]?.members;
  if (room) putRoom({ ...room, memberCount: members ? members.length : Math.max(1, room.memberCount + delta) });
}

/** Room and membership effects of a change frame, outside the message timeline (each seq once). */
function applySideEffects(f: RoomChangeFrame): void {
  if (f.seq <= (sideSeq.get(f.roomId) ?? 0)) return;
  sideSeq.set(f.roomId, f.seq);
  const me = store.get().user?.id;
  const room = store.get().rooms[f.roomId];
  switch (f.type) {
    case 'room_updated':
      putRoom(f.room);
      return;
    case 'member_joined':
    case 'member_updated':
      updateRoomState(f.roomId, (r) => ({ ...r, members: upsertMember(r.members, f.member) }));
      if (f.type === 'member_joined') setMemberCount(f.roomId, 1);
      if (f.member.user.id === me) {
        if (room) putRoom({ ...(store.get().rooms[f.roomId] ?? room), myRole: f.member.role });
        else refreshRooms(); // added to a room elsewhere (invite accepted in another tab, Nostr invite)
      }
      return;
    case 'member_left':
      if (f.userId === me) return leftRoom(f.roomId, 'You are no longer a member of that room');
      updateRoomState(f.roomId, (r) => ({ ...r, members: r.members && r.members.filter((m) => m.user.id !== f.userId) }));
      setMemberCount(f.roomId, -1);
      return;
    case 'message':
      if (room) putRoom({ ...room, lastSeq: Math.max(room.lastSeq, f.seq) }, true);
      return;
    default:
      return;
  }
}

function refreshRooms(): void {
  api.rooms().then(({ rooms }) => rooms.forEach((r) => putRoom(r)), () => {});
}

function leftRoom(roomId: string, notice: string): void {
  const open = wanted === roomId;
  joined.delete(roomId);
  if (open) wanted = null;
  dropRoom(roomId);
  if (open) {
    store.set({ notice, route: { name: 'home' } });
    history.pushState(null, '', '/');
  }
}

function setTypingUser(roomId: string, user: User, isTyping: boolean): void {
  const key = `${roomId}:${user.id}`;
  const t = typingTimers.get(key);
  if (t) clearTimeout(t);
  typingTimers.delete(key);
  if (isTyping) typingTimers.set(key, setTimeout(() => setTypingUser(roomId, user, false), TYPING_TTL_MS));
  updateRoomState(roomId, (r) => {
    if (!isTyping && !r.typing[user.id]) return r;
    const { [user.id]: _gone, ...rest } = r.typing;
    return { ...r, typing: isTyping ? { ...rest, [user.id]: user } : rest };
  });
}

function handleFrame(f: ServerFrame): void {
  const me = store.get().user?.id;
  switch (f.type) {
    case 'room_joined': {
      if (f.roomId !== wanted) return;
      joined.add(f.roomId);
      const before = roomState(f.roomId).timeline.lastSeq;
      const { timeline, reload } = applyJoined(roomState(f.roomId).timeline, f);
      const typing: Record<string, User> = {};
      for (const u of f.typing) if (u.id !== me) typing[u.id] = u;
      updateRoomState(f.roomId, (r) => ({ ...r, timeline, typing, streams: applySnapshots(r.streams, f.aiStreams) }));
      if (!f.resync) for (const c of f.replayed) if (c.seq > before) applySideEffects(c);
      if (reload) void loadNewest(f.roomId, f.resync ? f.lastSeq : undefined);
      if (f.resync) void api.room(f.roomId).then(({ room, members }) => (putRoom(room), updateRoomState(f.roomId, (r) => ({ ...r, members }))), () => {});
      markRead(f.roomId);
      return;
    }
    case 'message':
    case 'message_updated':
    case 'message_deleted':
    case 'room_updated':
    case 'room_cleared':
    case 'member_joined':
    case 'member_left':
    case 'member_updated': {
      if (joined.has(f.roomId)) {
        const cur = roomState(f.roomId).timeline;
        if (f.seq <= cur.lastSeq) return; // already applied (e.g. replayed)
        updateRoomState(f.roomId, (r) => ({ ...r, timeline: applyChange(r.timeline, f) }));
        if (f.type === 'message' && f.message.author) setTypingUser(f.roomId, f.message.author, false);
        if (wanted === f.roomId) markRead(f.roomId);
      }
      applySideEffects(f);
      return;
    }
    case 'room_activity': {
      const room = store.get().rooms[f.roomId];
      if (room) putRoom({ ...room, lastSeq: Math.max(room.lastSeq, f.lastSeq) }, true);
      else refreshRooms();
      if (wanted !== f.roomId) store.set((s) => ({ unread: { ...s.unread, [f.roomId]: true } }));
      return;
    }
    case 'room_deleted':
      return leftRoom(f.roomId, 'That room was deleted');
    case 'typing':
      if (f.user.id !== me) setTypingUser(f.roomId, f.user, f.isTyping);
      return;
    case 'ai_typing':
    case 'ai_chunk':
    case 'ai_tool':
    case 'ai_stream_end': {
      if (!joined.has(f.roomId)) return;
      updateRoomState(f.roomId, (r) => {
        let next: RoomState = { ...r, streams: applyStreamFrame(r.streams, f) };
        if (f.type === 'ai_stream_end') {
          if (f.message) next = { ...next, timeline: mergeMessages(next.timeline, [f.message]) };
          else if (f.error) next = { ...next, aiErrors: [...next.aiErrors, { streamId: f.streamId, message: f.error.message }] };
        }
        return next;
      });
      return;
    }
    case 'message_ack':
      updateRoomState(f.message.roomId, (r) => ({ ...r, timeline: mergeMessages(r.timeline, [f.message]) }));
      return;
    case 'error':
      if (f.requestType !== 'typing') store.set({ notice: f.message });
      return;
    default:
      return;
  }
}
