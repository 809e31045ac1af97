import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/testServer.js';
import { connectWs, type Frame, type WsTestClient } from '../test/wsClient.js';

let s: TestServer;
const open: WsTestClient[] = [];
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await s.stop();
});

type Person = { token: string; user: { id: string }; ws: WsTestClient };

async function person(server = s): Promise<Person> {
  const { token, user } = await server.register();
  const ws = await connectWs(server.url, token);
  open.push(ws);
  return { token, user, ws };
}

async function socketOf(p: Person, server = s): Promise<WsTestClient> {
  const ws = await connectWs(server.url, p.token);
  open.push(ws);
  return ws;
}

/** A private room owned by `owner` with the others added through an invite. */
async function roomWith(owner: Person, others: Person[], server = s): Promise<string> {
  const created = await server.api('POST', '/api/rooms', { token: owner.token, body: { name: 'Room' } });
  expect(created.status).toBe(201);
  const roomId = created.body.room.id;
  for (const p of others) {
    const inv = await server.api('POST', '/api/invites', { token: owner.token, body: { roomId } });
    expect(inv.status).toBe(201);
    expect((await server.api('POST', `/api/invites/${inv.body.invite.token}/accept`, { token: p.token })).status).toBe(200);
  }
  return roomId;
}

const join = (ws: WsTestClient, roomId: string, lastSeq?: number) =>
  ws.request({ type: 'join_room', roomId, ...(lastSeq === undefined ? {} : { lastSeq }) }, 'room_joined', (f) => f.roomId === roomId);

const restSend = async (p: Person, roomId: string, content: string, server = s) => {
  const res = await server.api('POST', `/api/rooms/${roomId}/messages`, { token: p.token, body: { content } });
  expect(res.status).toBe(201);
  return res.body.message;
};

/** Every frame the socket got before this round trip. */
const settle = (ws: WsTestClient) => ws.request({ type: 'ping' }, 'pong');

describe('messages and membership over WebSocket', () => {
  it('delivers WS and REST messages to both members in order, acks the sender and announces joins', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, []);
    await join(alice.ws, roomId);
    await roomWith(alice, []); // another room: its frames must not leak
    const inv = await s.api('POST', '/api/invites', { token: alice.token, body: { roomId } });
    await s.api('POST', `/api/invites/${inv.body.invite.token}/accept`, { token: bob.token });
    expect(await alice.ws.next('member_joined')).toMatchObject({ roomId, member: { user: { id: bob.user.id } } });
    const joined = await join(bob.ws, roomId);
    expect(joined).toMatchObject({ roomId, replayed: [], resync: false, typing: [], aiStreams: [] });

    const ack = await alice.ws.request({ type: 'send_message', roomId, content: ' hello ', clientId: 'a-1' }, 'message_ack');
    expect(ack.clientId).toBe('a-1');
    expect(ack.message).toMatchObject({ roomId, content: 'hello', role: 'user', author: { id: alice.user.id } });
    expect(ack.message.seq).toBe(joined.lastSeq + 1);
    const fromRest = await restSend(bob, roomId, 'hi alice');
    for (const p of [alice, bob]) {
      const first = await p.ws.next('message');
      const second = await p.ws.next('message');
      expect([first.message.content, second.message.content]).toEqual(['hello', 'hi alice']);
      expect([first.seq, second.seq]).toEqual([ack.message.seq, fromRest.seq]);
      expect(second.message).toEqual(fromRest);
    }
    // The sender's own message arrives before its ack.
    const aliceTypes = alice.ws.frames.map((f) => f.type);
    expect(aliceTypes.indexOf('message')).toBeLessThan(aliceTypes.indexOf('message_ack'));
    // A repeated clientId returns the stored message instead of a second one.
    const again = await alice.ws.request({ type: 'send_message', roomId, content: 'hello', clientId: 'a-1' }, 'message_ack', (f) => f !== ack);
    expect(again.message.id).toBe(ack.message.id);
    // Broadcasts go out as text frames (one encoded buffer, sent with binary: false).
    expect(alice.ws.binaryFrames + bob.ws.binaryFrames).toBe(0);
  });

  it('shows a profile change on the next WebSocket send and in typing frames, without reconnecting', async () => {
    const a = await person();
    const b = await person();
    const roomId = await roomWith(a, [b]);
    await join(a.ws, roomId);
    await join(b.ws, roomId);
    expect((await s.api('PATCH', '/api/auth/profile', { token: a.token, body: { displayName: 'Renamed Alice' } })).status).toBe(200);
    const ack = await a.ws.request({ type: 'send_message', roomId, content: 'after rename', clientId: 'rn-1' }, 'message_ack');
    expect(ack.message.author.displayName).toBe('Renamed Alice');
    a.ws.send({ type: 'typing', roomId, isTyping: true });
    const typing = await b.ws.next('typing', (f) => f.isTyping === true);
    expect(typing.user.displayName).toBe('Renamed Alice');
  });

  it('refuses a non-member: join, send and stop_ai answer not_found', async () => {
    const alice = await person();
    const eve = await person();
    const roomId = await roomWith(alice, []);
    expect(await eve.ws.request({ type: 'join_room', roomId }, 'error')).toMatchObject({ code: 'not_found', requestType: 'join_room' });
    expect(await eve.ws.request({ type: 'send_message', roomId, content: 'x', clientId: 'e1' }, 'error')).toMatchObject({ code: 'not_found', requestType: 'send_message', clientId: 'e1' });
    expect(await eve.ws.request({ type: 'stop_ai', roomId }, 'error')).toMatchObject({ code: 'not_found', requestType: 'stop_ai' });
    await restSend(alice, roomId, 'secret');
    await settle(eve.ws);
    expect(eve.ws.all('message')).toHaveLength(0);
    expect(eve.ws.all('room_activity')).toHaveLength(0);
  });

  it('relays typing to the other sockets only, lists typers on join and expires them in the sweep', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, [bob]);
    await join(alice.ws, roomId);
    await join(bob.ws, roomId);
    alice.ws.send({ type: 'typing', roomId, isTyping: true });
    expect(await bob.ws.next('typing')).toMatchObject({ roomId, isTyping: true, user: { id: alice.user.id } });
    const bob2 = await socketOf(bob);
    expect((await join(bob2, roomId)).typing.map((u: any) => u.id)).toEqual([alice.user.id]);
    await settle(alice.ws);
    expect(alice.ws.all('typing')).toHaveLength(0);

    s.deps.realtime.gateway.tick(Date.now() + 7_000);
    expect(await bob.ws.next('typing', (f) => !f.isTyping)).toMatchObject({ user: { id: alice.user.id } });
    expect(await bob2.next('typing', (f) => !f.isTyping)).toMatchObject({ user: { id: alice.user.id } });
    expect(await alice.ws.request({ type: 'typing', roomId: 'elsewhere', isTyping: true }, 'error')).toMatchObject({ code: 'not_found', requestType: 'typing' });
  });

  it('sends room_activity to member sockets that have not joined the room', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, [bob]);
    const m = await restSend(alice, roomId, 'ping bob');
    expect(await bob.ws.next('room_activity')).toEqual({ type: 'room_activity', roomId, lastSeq: m.seq });
    expect(bob.ws.all('message')).toHaveLength(0);
  });

  it('stops a removed member at once, after telling them with member_left', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, [bob]);
    await join(alice.ws, roomId);
    await join(bob.ws, roomId);
    const bobIdle = await socketOf(bob);
    expect((await s.api('DELETE', `/api/rooms/${roomId}/members/${bob.user.id}`, { token: alice.token })).status).toBe(204);
    for (const ws of [bob.ws, bobIdle, alice.ws]) expect(await ws.next('member_left')).toMatchObject({ roomId, userId: bob.user.id });
    await restSend(alice, roomId, 'after bob left');
    await alice.ws.next('message');
    for (const ws of [bob.ws, bobIdle]) {
      await settle(ws);
      expect(ws.frames.filter((f) => f.type === 'message' || f.type === 'room_activity')).toEqual([]);
    }
    expect(await bob.ws.request({ type: 'typing', roomId, isTyping: true }, 'error')).toMatchObject({ code: 'not_found' });
    expect(await bob.ws.request({ type: 'join_room', roomId }, 'error')).toMatchObject({ code: 'not_found' });
  });

  it('tells every member socket when the room is deleted', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, [bob]);
    await join(bob.ws, roomId);
    const bobIdle = await socketOf(bob);
    expect((await s.api('DELETE', `/api/rooms/${roomId}`, { token: alice.token })).status).toBe(204);
    for (const ws of [alice.ws, bob.ws, bobIdle]) expect(await ws.next('room_deleted')).toEqual({ type: 'room_deleted', roomId });
    expect(await bob.ws.request({ type: 'join_room', roomId }, 'error')).toMatchObject({ code: 'not_found' });
  });

  it('forwards stop_ai to the AI stream registry and shows running streams on join', async () => {
    const alice = await person();
    const roomId = await roomWith(alice, []);
    const hub = s.deps.realtime.hub;
    const previous = hub.aiStreams;
    try {
      hub.setAiStreams(null);
      expect(await alice.ws.request({ type: 'stop_ai', roomId }, 'error')).toMatchObject({ code: 'ai_unavailable', requestType: 'stop_ai' });
      const stops: string[][] = [];
      const snapshot = { streamId: 'st1', content: 'Hel', index: 2, tools: [], requestedBy: alice.user.id };
      hub.setAiStreams({ snapshot: (r) => (r === roomId ? [snapshot] : []), stop: (r, u) => (stops.push([r, u]), true) });
      expect((await join(alice.ws, roomId)).aiStreams).toEqual([snapshot]);
      alice.ws.send({ type: 'stop_ai', roomId });
      await settle(alice.ws);
      expect(stops).toEqual([[roomId, alice.user.id]]);
    } finally {
      hub.setAiStreams(previous);
    }
  });
});

describe('replay on reconnect', () => {
  it('replays exactly the missed creates, edits, deletes and clears in order', async () => {
    const alice = await person();
    const bob = await person();
    const roomId = await roomWith(alice, [bob]);
    await restSend(alice, roomId, 'before');
    const { lastSeq } = await join(bob.ws, roomId);
    await bob.ws.close();

    const m1 = await restSend(alice, roomId, 'one');
    const m2 = await restSend(alice, roomId, 'two');
    expect((await s.api('PATCH', `/api/messages/${m1.id}`, { token: alice.token, body: { content: 'one (edited)' } })).status).toBe(200);
    expect((await s.api('DELETE', `/api/messages/${m2.id}`, { token: alice.token })).status).toBe(204);
    expect((await s.api('POST', `/api/rooms/${roomId}/clear`, { token: alice.token })).status).toBe(204);

    const back = await socketOf(bob);
    const joined = await join(back, roomId, lastSeq);
    expect(joined.resync).toBe(false);
    expect(joined.replayed.map((f: Frame) => [f.type, f.seq])).toEqual([
      ['message', lastSeq + 1],
      ['message', lastSeq + 2],
      ['message_updated', lastSeq + 3],
      ['message_deleted', lastSeq + 4],
      ['room_cleared', lastSeq + 5],
    ]);
    expect(joined.replayed[2].message).toMatchObject({ id: m1.id, content: 'one (edited)' });
    expect(joined.replayed[3].messageId).toBe(m2.id);
    expect(joined.lastSeq).toBe(lastSeq + 5);
    // Up to date: nothing to replay; live frames continue from there.
    expect(await join(back, roomId, joined.lastSeq)).toMatchObject({ replayed: [], resync: false, lastSeq: lastSeq + 5 });
    const live = await restSend(alice, roomId, 'live');
    expect((await back.next('message')).seq).toBe(live.seq);
  });

  it('asks for a resync when the log no longer reaches back', async () => {
    const small = await startTestServer({ ROOM_LOG_KEEP: '100' });
    try {
      const alice = await person(small);
      const bob = await person(small);
      const roomId = await roomWith(alice, [bob], small);
      const { lastSeq } = await join(bob.ws, roomId);
      await bob.ws.close();
      for (let i = 0; i < 120; i++) await restSend(alice, roomId, `m${i}`, small);
      const joined = await join(await socketOf(bob, small), roomId, lastSeq);
      expect(joined).toMatchObject({ resync: true, replayed: [], lastSeq: lastSeq + 120 });
    } finally {
      await small.stop();
    }
  });
});
