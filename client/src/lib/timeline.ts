import type { Message, RoomChangeFrame, RoomJoinedFrame } from './types.js';

/**
 * One room's message history as the client holds it, kept consistent across REST pages, live
 * frames and replays after a reconnect. Every function is pure and returns a new timeline, so the
 * merge rules (nothing missed, nothing duplicated) are unit-tested without a browser.
 *
 * Rules:
 * - Messages are unique by id and sorted by their creation `seq`.
 * - `lastSeq` is the highest room change applied from the socket. Only frames (live or replayed)
 *   and `room_joined.lastSeq` advance it; REST pages never do, because a page can be newer than
 *   frames still in flight and skipping those would lose membership or room changes.
 * - A change frame whose seq is ≤ `lastSeq` was already applied and is ignored.
 * - Deleted ids are remembered (tombstones) and a clear remembers its seq, so a REST page that
 *   was fetched before the deletion or clear cannot bring those messages back.
 * - Of two copies of one message, the one edited later wins.
 */
export interface Timeline {
  messages: Message[];
  /** Highest change seq applied from the socket (0 before the first room_joined). */
  lastSeq: number;
  /** True once a room_joined was applied: rejoins may then ask for a replay from lastSeq. */
  synced: boolean;
  /** Older history exists on the server (drives infinite scroll back). */
  hasMore: boolean;
  /** Ids deleted while this timeline was held. */
  deleted: ReadonlySet<string>;
  /** Messages with a seq below this were removed by a room clear. */
  clearedBefore: number;
}

export function emptyTimeline(): Timeline {
  return { messages: [], lastSeq: 0, synced: false, hasMore: true, deleted: new Set(), clearedBefore: 0 };
}

function newer(a: Message, b: Message): Message {
  // Later edit wins; an unedited copy never replaces an edited one.
  if (!a.editedAt) return b;
  if (!b.editedAt) return a;
  return b.editedAt >= a.editedAt ? b : a;
}

/** Merges messages into the timeline by id (REST pages, send answers, acks); order-independent. */
export function mergeMessages(tl: Timeline, incoming: Message[]): Timeline {
  const wanted = incoming.filter((m) => !tl.deleted.has(m.id) && m.seq >= tl.clearedBefore);
  if (wanted.length === 0) return tl;
  const byId = new Map<string, Message>();
  for (const m of tl.messages) byId.set(m.id, m);
  let changed = false;
  for (const m of wanted) {
    const old = byId.get(m.id);
    const next = old ? newer(old, m) : m;
    if (next !== old) {
      byId.set(m.id, next);
      changed = true;
    }
  }
  if (!changed) return tl;
  const messages = [...byId.values()].sort((a, b) => a.seq - b.seq);
  return { ...tl, messages };
}

/** Applies an older REST page (`before` cursor) and whether even older history remains. */
export function applyOlderPage(tl: Timeline, page: Message[], hasMore: boolean): Timeline {
  return { ...mergeMessages(tl, page), hasMore };
}

/**
 * Applies the newest page. With `replaceUpTo` (a resync: too much was missed to replay), every
 * held message with seq ≤ that cursor is dropped first, since the page is the truth up to it;
 * newer ones arrived live after the join and stay.
 */
export function applyNewestPage(tl: Timeline, page: Message[], hasMore: boolean, replaceUpTo?: number): Timeline {
  const replace = replaceUpTo !== undefined;
  const base: Timeline = replace ? { ...tl, messages: tl.messages.filter((m) => m.seq > replaceUpTo) } : tl;
  const merged = mergeMessages(base, page);
  // When we already hold history older than this page, its hasMore still describes that history.
  const holdsOlder = !replace && page.length > 0 && tl.messages.length > 0 && tl.messages[0].seq < page[0].seq;
  return { ...merged, hasMore: holdsOlder ? tl.hasMore : hasMore };
}

/** Applies one change frame (live or replayed); frames already applied are ignored. */
export function applyChange(tl: Timeline, frame: RoomChangeFrame): Timeline {
  if (frame.seq <= tl.lastSeq) return tl;
  let next: Timeline = { ...tl, lastSeq: frame.seq };
  switch (frame.type) {
    case 'message':
    case 'message_updated':
      next = mergeMessages(next, [frame.message]);
      break;
    case 'message_deleted': {
      const deleted = new Set(next.deleted);
      deleted.add(frame.messageId);
      next = { ...next, deleted, messages: next.messages.filter((m) => m.id !== frame.messageId) };
      break;
    }
    case 'room_cleared':
      next = { ...next, clearedBefore: frame.seq, messages: next.messages.filter((m) => m.seq >= frame.seq), hasMore: false };
      break;
    default:
      // Room and membership changes only move the cursor here; the store applies them elsewhere.
      break;
  }
  return next;
}

/**
 * Applies a room_joined answer: the replayed frames in order, then the server's lastSeq.
 * Returns whether the newest page must be (re)loaded over REST: on `resync`, or on the first
 * join of this timeline (it had no cursor to replay from).
 */
export function applyJoined(tl: Timeline, joined: Pick<RoomJoinedFrame, 'lastSeq' | 'replayed' | 'resync'>): { timeline: Timeline; reload: boolean } {
  const firstJoin = !tl.synced;
  let next = tl;
  if (!joined.resync) {
    const ordered = [...joined.replayed].sort((a, b) => a.seq - b.seq);
    for (const f of ordered) next = applyChange(next, f);
  }
  next = { ...next, synced: true, lastSeq: Math.max(next.lastSeq, joined.lastSeq) };
  return { timeline: next, reload: joined.resync || firstJoin };
}

/** The cursor to send with join_room: undefined until a join has been applied once. */
export function joinCursor(tl: Timeline | undefined): number | undefined {
  return tl && tl.synced ? tl.lastSeq : undefined;
}
