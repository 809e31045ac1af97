import { describe, expect, it } from 'vitest';
import { applyChange, applyJoined, applyNewestPage, applyOlderPage, emptyTimeline, joinCursor, mergeMessages, type Timeline } from './timeline.js';
import type { Message, RoomChangeFrame } from './types.js';

const ROOM = 'r1';

function msg(seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `m${seq}`,
    roomId: ROOM,
    seq,
    role: 'user',
    author: null,
    content: `message ${seq}`,
    replyTo: null,
    attachments: [],
    hash: 'h'.repeat(64),
    createdAt: '2026-11-21T09:30:00.000Z',
    editedAt: null,
    ai: null,
    ...over,
  };
}

const created = (seq: number): RoomChangeFrame => ({ type: 'message', roomId: ROOM, seq, message: msg(seq) });
const ids = (tl: Timeline) => tl.messages.map((m) => m.id);

function synced(lastSeq: number, messages: Message[] = []): Timeline {
  return applyNewestPage(applyJoined(emptyTimeline(), { lastSeq, replayed: [], resync: false }).timeline, messages, false);
}

describe('timeline merge', () => {
  it('dedupes by id and keeps seq order whatever the arrival order', () => {
    let tl = mergeMessages(emptyTimeline(), [msg(5), msg(3)]);
    tl = mergeMessages(tl, [msg(4), msg(5), msg(3)]);
    expect(ids(tl)).toEqual(['m3', 'm4', 'm5']);
  });

  it('keeps the later edit whichever copy arrives last', () => {
    const edited = msg(3, { content: 'edited', editedAt: '2026-11-21T10:00:00.000Z' });
    const a = mergeMessages(mergeMessages(emptyTimeline(), [edited]), [msg(3)]);
    const b = mergeMessages(mergeMessages(emptyTimeline(), [msg(3)]), [edited]);
    expect(a.messages[0].content).toBe('edited');
    expect(b.messages[0].content).toBe('edited');
  });

  it('older pages prepend and set hasMore; the newest page does not hide older history', () => {
    let tl = synced(10, [msg(8), msg(9), msg(10)]);
    tl = applyOlderPage(tl, [msg(6), msg(7)], true);
    expect(ids(tl)).toEqual(['m6', 'm7', 'm8', 'm9', 'm10']);
    expect(tl.hasMore).toBe(true);
    tl = applyNewestPage(tl, [msg(9), msg(10), msg(11)], true);
    expect(ids(tl)).toEqual(['m6', 'm7', 'm8', 'm9', 'm10', 'm11']);
    expect(tl.hasMore).toBe(true);
  });
});

describe('change frames', () => {
  it('applies each seq once: a replayed frame already seen live is ignored', () => {
    let tl = synced(2);
    tl = applyChange(tl, created(3));
    const again = applyChange(tl, created(3));
    expect(again).toBe(tl);
    expect(ids(tl)).toEqual(['m3']);
    expect(tl.lastSeq).toBe(3);
  });

  it('a deleted message stays deleted even if a stale REST page brings it back', () => {
    let tl = synced(3, [msg(2), msg(3)]);
    tl = applyChange(tl, { type: 'message_deleted', roomId: ROOM, seq: 4, messageId: 'm2' });
    tl = applyNewestPage(tl, [msg(2), msg(3)], false);
    expect(ids(tl)).toEqual(['m3']);
  });

  it('room_cleared empties the room and blocks older copies', () => {
    let tl = synced(3, [msg(2), msg(3)]);
    tl = applyChange(tl, { type: 'room_cleared', roomId: ROOM, seq: 4 });
    tl = applyChange(tl, created(5));
    tl = mergeMessages(tl, [msg(3)]);
    expect(ids(tl)).toEqual(['m5']);
    expect(tl.hasMore).toBe(false);
  });

  it('member and room frames move the cursor without touching messages', () => {
    let tl = synced(3, [msg(3)]);
    tl = applyChange(tl, { type: 'member_left', roomId: ROOM, seq: 4, userId: 'u2' });
    expect(tl.lastSeq).toBe(4);
    expect(ids(tl)).toEqual(['m3']);
  });
});

describe('reconnect and replay', () => {
  it('joins without a cursor the first time, then with the highest seq applied', () => {
    const fresh = emptyTimeline();
    expect(joinCursor(fresh)).toBeUndefined();
    const { timeline, reload } = applyJoined(fresh, { lastSeq: 7, replayed: [], resync: false });
    expect(reload).toBe(true); // first join: load the newest page over REST
    expect(joinCursor(timeline)).toBe(7);
    expect(joinCursor(applyChange(timeline, created(8)))).toBe(8);
  });

  it('replays missed frames in seq order, skipping what was already seen, and misses nothing', () => {
    let tl = synced(2, [msg(1), msg(2)]);
    tl = applyChange(tl, created(3)); // seen live before the socket dropped
    const replayed: RoomChangeFrame[] = [
      created(5),
      created(3), // the server replays from our cursor; an overlap must not duplicate
      created(4),
      { type: 'message_updated', roomId: ROOM, seq: 6, message: msg(4, { content: 'fixed', editedAt: '2026-11-21T10:00:00.000Z' }) },
      { type: 'message_deleted', roomId: ROOM, seq: 7, messageId: 'm1' },
    ];
    const { timeline, reload } = applyJoined(tl, { lastSeq: 7, replayed, resync: false });
    expect(reload).toBe(false);
    expect(ids(timeline)).toEqual(['m2', 'm3', 'm4', 'm5']);
    expect(timeline.messages.find((m) => m.id === 'm4')?.content).toBe('fixed');
    expect(timeline.lastSeq).toBe(7);
    // A live frame the server had already replayed is not applied twice.
    expect(applyChange(timeline, created(5))).toBe(timeline);
  });

  it('resync asks for a reload and replaces what the page covers, keeping live messages after the join', () => {
    let tl = synced(3, [msg(1), msg(2), msg(3)]);
    const { timeline, reload } = applyJoined(tl, { lastSeq: 40, replayed: [], resync: true });
    expect(reload).toBe(true);
    expect(timeline.lastSeq).toBe(40);
    tl = applyChange(timeline, created(41)); // arrived live before the REST answer
    tl = applyNewestPage(tl, [msg(2), msg(39), msg(40)], true, 40); // m1 and m3 were deleted meanwhile
    expect(ids(tl)).toEqual(['m2', 'm39', 'm40', 'm41']);
    expect(tl.hasMore).toBe(true);
  });

  it('a send answer merges without moving the cursor, so earlier frames still in flight are not skipped', () => {
    let tl = synced(10);
    tl = mergeMessages(tl, [msg(13)]); // our own message, answered over REST
    expect(tl.lastSeq).toBe(10);
    tl = applyChange(tl, created(11));
    tl = applyChange(tl, created(12));
    tl = applyChange(tl, created(13)); // its live frame: no duplicate
    expect(ids(tl)).toEqual(['m11', 'm12', 'm13']);
  });
});
