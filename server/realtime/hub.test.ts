import { describe, expect, it } from 'vitest';
import { EventBus } from '../events.js';
import type { UserView } from '../modules/users/presenter.js';
import type { ServerFrame } from './frames.js';
import { Hub, type SocketLike } from './hub.js';

class FakeSocket implements SocketLike {
  sent: Array<string | Buffer> = [];
  bufferedAmount = 0;
  closedWith: { code?: number; reason?: string } | null = null;
  send(data: string | Buffer): void {
    if (this.closedWith) throw new Error('send after close');
    this.sent.push(data);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
  }
  frames(): any[] {
    return this.sent.map((d) => JSON.parse(d.toString()));
  }
  types(): string[] {
    return this.frames().map((f) => f.type);
  }
}

const user = (id: string): UserView => ({ id, username: id, displayName: id.toUpperCase(), avatarUrl: null, nostrPubkey: null, npub: null, createdAt: '2026-01-01T00:00:00.000Z' });
const msg = (roomId: string, seq: number): ServerFrame => ({ type: 'message', roomId, seq, message: { id: `m${seq}`, roomId, seq } as any });

/** Connects a socket for a user whose rooms are already known. */
function connect(hub: Hub, userId: string, rooms: string[]) {
  const socket = new FakeSocket();
  if (hub.reserve(user(userId))) hub.setMemberRooms(userId, rooms);
  return { socket, client: hub.connect(socket, userId) };
}

function join(hub: Hub, c: ReturnType<typeof connect>, roomId: string, lastSeq = 0) {
  expect(hub.beginJoin(c.client, roomId)).toBe(true);
  hub.finishJoin(c.client, roomId, { type: 'room_joined', roomId, lastSeq, replayed: [], resync: false, typing: [], aiStreams: [] });
  c.socket.sent.length = 0;
}

describe('Hub routing', () => {
  it('encodes a broadcast once and sends the same buffer to every joined socket', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', ['r1']);
    const b = connect(hub, 'b', ['r1']);
    const b2 = connect(hub, 'b', ['r1']);
    for (const c of [a, b, b2]) join(hub, c, 'r1');
    hub.deliver('r1', msg('r1', 1), 'joined');
    expect(a.socket.sent).toHaveLength(1);
    expect(Buffer.isBuffer(a.socket.sent[0])).toBe(true);
    expect(b.socket.sent[0]).toBe(a.socket.sent[0]);
    expect(b2.socket.sent[0]).toBe(a.socket.sent[0]);
    expect(a.socket.frames()[0]).toMatchObject({ type: 'message', roomId: 'r1', seq: 1 });
  });

  it('sends member frames to every socket of every member, joined or not, and room_activity to unjoined ones', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', ['r1']);
    const aIdle = connect(hub, 'a', ['r1']);
    const b = connect(hub, 'b', ['r2']);
    join(hub, a, 'r1');
    hub.deliver('r1', { type: 'room_cleared', roomId: 'r1', seq: 3 }, 'members');
    expect(a.socket.types()).toEqual(['room_cleared']);
    expect(aIdle.socket.types()).toEqual(['room_cleared']);
    expect(b.socket.sent).toHaveLength(0);

    hub.deliver('r1', msg('r1', 4), 'joined');
    expect(a.socket.types()).toEqual(['room_cleared', 'message']);
    expect(aIdle.socket.frames()[1]).toEqual({ type: 'room_activity', roomId: 'r1', lastSeq: 4 });
    expect(b.socket.sent).toHaveLength(0);
  });

  it('reaches explicitly named users even when the index does not list them', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', []);
    hub.deliver('r1', { type: 'room_deleted', roomId: 'r1' }, 'members', ['a']);
    expect(a.socket.types()).toEqual(['room_deleted']);
  });

  it('follows membership events from the bus; a removed member leaves at once after being told', () => {
    const hub = new Hub();
    const bus = new EventBus((err) => {
      throw err;
    });
    hub.subscribe(bus);
    const a = connect(hub, 'a', ['r1']);
    const b = connect(hub, 'b', []);
    join(hub, a, 'r1');
    bus.emit('memberAdded', { roomId: 'r1', userId: 'b' });
    join(hub, b, 'r1');
    bus.emit('roomFrame', { roomId: 'r1', frame: { type: 'member_left', roomId: 'r1', seq: 5, userId: 'b' }, audience: 'members' });
    bus.emit('memberRemoved', { roomId: 'r1', userId: 'b' });
    bus.emit('roomFrame', { roomId: 'r1', frame: msg('r1', 6), audience: 'joined' });
    bus.emit('roomFrame', { roomId: 'r1', frame: { type: 'room_cleared', roomId: 'r1', seq: 7 }, audience: 'members' });
    expect(b.socket.types()).toEqual(['member_left']);
    expect(a.socket.types()).toEqual(['member_left', 'message', 'room_cleared']);
    expect(hub.beginJoin(b.client, 'r1')).toBe(false);
  });

  it('applies membership changes announced while the rooms were loading', () => {
    const hub = new Hub();
    expect(hub.reserve(user('a'))).toBe(true);
    expect(hub.reserve(user('a'))).toBe(true); // a concurrent upgrade loads too; the first result wins
    // The room list was read before these commits: r1 removed, r2 added.
    (hub as any).removeMember('r1', 'a');
    (hub as any).addMember('r2', 'a');
    hub.setMemberRooms('a', ['r1', 'r3']);
    hub.setMemberRooms('a', ['r1']);
    expect(hub.mayBeMember('a', 'r1')).toBe(false);
    expect(hub.mayBeMember('a', 'r2')).toBe(true);
    expect(hub.mayBeMember('a', 'r3')).toBe(true);
    const socket = new FakeSocket();
    const client = hub.connect(socket, 'a');
    hub.release('a');
    expect(hub.reserve(user('a'))).toBe(false);
    hub.release('a');
    hub.deliver('r2', { type: 'room_cleared', roomId: 'r2', seq: 1 }, 'members');
    hub.deliver('r1', { type: 'room_cleared', roomId: 'r1', seq: 1 }, 'members');
    expect(socket.types()).toEqual(['room_cleared']);
    expect(client.joined.size).toBe(0);
    hub.disconnect(client);
    expect((hub as any).users.size).toBe(0);
    expect((hub as any).members.size).toBe(0);
  });

  it('forgets a reservation whose upgrade never completed', () => {
    const hub = new Hub();
    hub.reserve(user('a'));
    hub.setMemberRooms('a', ['r1']);
    hub.release('a');
    expect((hub as any).users.size).toBe(0);
    expect((hub as any).members.size).toBe(0);
    expect(() => hub.connect(new FakeSocket(), 'a')).toThrow();
  });

  it('holds frames during a join and sends only those newer than room_joined.lastSeq after it', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', ['r1']);
    expect(hub.beginJoin(a.client, 'r1')).toBe(true);
    hub.deliver('r1', msg('r1', 5), 'joined'); // also in the replay
    hub.deliver('r1', { type: 'member_left', roomId: 'r1', seq: 6, userId: 'x' }, 'members');
    hub.deliver('r1', msg('r1', 7), 'joined');
    expect(a.socket.sent).toHaveLength(0);
    const ok = hub.finishJoin(a.client, 'r1', { type: 'room_joined', roomId: 'r1', lastSeq: 5, replayed: [msg('r1', 5) as any], resync: false, typing: [], aiStreams: [] });
    expect(ok).toBe(true);
    expect(a.socket.frames().map((f) => [f.type, f.seq ?? f.lastSeq])).toEqual([['room_joined', 5], ['member_left', 6], ['message', 7]]);
    hub.deliver('r1', msg('r1', 8), 'joined');
    expect(a.socket.types().at(-1)).toBe('message');
  });

  it('cancels a join when the socket leaves meanwhile', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', ['r1']);
    hub.beginJoin(a.client, 'r1');
    hub.leave(a.client, 'r1');
    expect(hub.finishJoin(a.client, 'r1', { type: 'room_joined', roomId: 'r1', lastSeq: 0, replayed: [], resync: false, typing: [], aiStreams: [] })).toBe(false);
    expect(a.socket.sent).toHaveLength(0);
  });

  it('forgets a user when the last socket disconnects', () => {
    const hub = new Hub();
    const a = connect(hub, 'a', ['r1']);
    const a2 = connect(hub, 'a', ['r1']);
    join(hub, a, 'r1');
    hub.disconnect(a.client);
    hub.disconnect(a.client);
    expect(hub.size).toBe(1);
    hub.deliver('r1', msg('r1', 1), 'joined');
    expect(a.socket.sent).toHaveLength(0);
    expect(a2.socket.types()).toEqual(['room_activity']);
    hub.disconnect(a2.client);
    expect(hub.size).toBe(0);
    expect((hub as any).members.size).toBe(0);
    expect((hub as any).users.size).toBe(0);
    expect((hub as any).joined.size).toBe(0);
  });
});

describe('Hub backpressure', () => {
  it('drops typing for a socket over the low watermark but still delivers durable frames', () => {
    const hub = new Hub({ lowWatermark: 1000, highWatermark: 10_000 });
    const a = connect(hub, 'a', ['r1']);
    const slow = connect(hub, 'b', ['r1']);
    const fast = connect(hub, 'c', ['r1']);
    for (const c of [a, slow, fast]) join(hub, c, 'r1');
    slow.socket.bufferedAmount = 5_000;
    hub.setTyping(a.client, 'r1', true);
    hub.deliver('r1', { type: 'ai_chunk', roomId: 'r1', streamId: 's', index: 1, delta: 'x' }, 'joined');
    expect(slow.socket.types()).toEqual(['ai_chunk']);
    expect(fast.socket.types()).toEqual(['typing', 'ai_chunk']);
    expect(hub.stats.dropped).toBe(1);
    expect(slow.socket.closedWith).toBeNull();
  });

  it('closes a socket over the high watermark instead of queueing durable frames; others are unaffected', () => {
    const hub = new Hub({ lowWatermark: 1000, highWatermark: 10_000 });
    const slow = connect(hub, 'b', ['r1']);
    const fast = connect(hub, 'c', ['r1']);
    join(hub, slow, 'r1');
    join(hub, fast, 'r1');
    slow.socket.bufferedAmount = 20_000;
    hub.deliver('r1', msg('r1', 1), 'joined');
    hub.deliver('r1', msg('r1', 2), 'joined');
    expect(slow.socket.sent).toHaveLength(0);
    expect(slow.socket.closedWith).toEqual({ code: 1013, reason: 'slow consumer' });
    expect(fast.socket.types()).toEqual(['message', 'message']);
    expect(hub.size).toBe(1);
    expect(hub.stats.kicked).toBe(1);
  });

  it('closes a socket whose held frames during a join exceed the bound', () => {
    const hub = new Hub({ maxPendingFrames: 3 });
    const a = connect(hub, 'a', ['r1']);
    hub.beginJoin(a.client, 'r1');
    for (let i = 1; i <= 4; i++) hub.deliver('r1', msg('r1', i), 'joined');
    expect(a.socket.closedWith?.code).toBe(1013);
    expect(hub.size).toBe(0);
  });
});

describe('Hub typing', () => {
  it('relays typing to the other sockets only, lists typers and expires them in the sweep', () => {
    let now = 1_000;
    const hub = new Hub({ typingTtlMs: 6_000, now: () => now });
    const a = connect(hub, 'a', ['r1']);
    const a2 = connect(hub, 'a', ['r1']);
    const b = connect(hub, 'b', ['r1']);
    const outside = connect(hub, 'c', ['r1']);
    for (const c of [a, a2, b]) join(hub, c, 'r1');
    expect(hub.setTyping(outside.client, 'r1', true)).toBe(false);
    expect(hub.setTyping(a.client, 'r1', true)).toBe(true);
    expect(a.socket.sent).toHaveLength(0);
    expect(a2.socket.types()).toEqual(['typing']);
    expect(b.socket.frames()).toEqual([{ type: 'typing', roomId: 'r1', user: user('a'), isTyping: true }]);
    expect(outside.socket.sent).toHaveLength(0);
    expect(hub.typingUsers('r1', 'b')).toEqual([user('a')]);
    expect(hub.typingUsers('r1', 'a')).toEqual([]);

    now += 5_000;
    hub.sweepTyping();
    expect(b.socket.sent).toHaveLength(1);
    now += 1_000;
    hub.sweepTyping();
    expect(b.socket.frames()[1]).toEqual({ type: 'typing', roomId: 'r1', user: user('a'), isTyping: false });
    expect(a.socket.frames()).toEqual([{ type: 'typing', roomId: 'r1', user: user('a'), isTyping: false }]);
    expect(hub.typingUsers('r1', 'b')).toEqual([]);
    hub.sweepTyping();
    expect(b.socket.sent).toHaveLength(2);
  });

  it('refreshing keeps typing alive; explicit stop and leaving clear it', () => {
    let now = 0;
    const hub = new Hub({ typingTtlMs: 6_000, now: () => now });
    const a = connect(hub, 'a', ['r1']);
    const b = connect(hub, 'b', ['r1']);
    join(hub, a, 'r1');
    join(hub, b, 'r1');
    hub.setTyping(a.client, 'r1', true);
    now = 4_000;
    hub.setTyping(a.client, 'r1', true);
    now = 8_000;
    hub.sweepTyping();
    expect(b.socket.frames().map((f) => f.isTyping)).toEqual([true, true]);
    hub.setTyping(a.client, 'r1', false);
    hub.setTyping(a.client, 'r1', false);
    expect(b.socket.frames().map((f) => f.isTyping)).toEqual([true, true, false]);
    hub.setTyping(a.client, 'r1', true);
    hub.leave(a.client, 'r1');
    expect(b.socket.frames().map((f) => f.isTyping)).toEqual([true, true, false, true, false]);
    expect(hub.typingUsers('r1', 'b')).toEqual([]);
  });
});
