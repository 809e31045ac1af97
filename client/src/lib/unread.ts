import { store } from './state.js';
import type { Room } from './types.js';

/**
 * Unread markers: the last seq the user has seen per room is kept in localStorage, so a room
 * whose lastSeq moved on since then is marked unread after a reload too; `room_activity` frames
 * mark rooms live.
 */
const KEY = 'chat.readSeq';

function load(): Record<string, number> {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}

function save(read: Record<string, number>): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(read));
  } catch {
    /* storage full or disabled: markers just won't survive a reload */
  }
}

/** Records the room as read up to what the client holds and clears its marker. */
export function markRead(roomId: string): void {
  const s = store.get();
  const seq = Math.max(s.rooms[roomId]?.lastSeq ?? 0, s.roomStates[roomId]?.timeline.lastSeq ?? 0);
  const read = load();
  if ((read[roomId] ?? -1) < seq) {
    read[roomId] = seq;
    save(read);
  }
  if (s.unread[roomId]) {
    const { [roomId]: _r, ...unread } = s.unread;
    store.set({ unread });
  }
}

/** Unread flags for a fresh room list; rooms never seen before start as read. */
export function unreadFromList(rooms: Room[]): Record<string, boolean> {
  const read = load();
  const out: Record<string, boolean> = {};
  let changed = false;
  for (const r of rooms) {
    if (read[r.id] === undefined) {
      read[r.id] = r.lastSeq;
      changed = true;
    } else if (r.lastSeq > read[r.id]) out[r.id] = true;
  }
  if (changed) save(read);
  return out;
}
