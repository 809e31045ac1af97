import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, buildRoom, postMessage } from '../../test/factories.js';
import { startTestServer, type TestServer } from '../../test/testServer.js';

let s: TestServer;
let owner: { token: string; user: any };
let alice: { token: string; user: any };
let bob: { token: string; user: any };
let outsider: { token: string; user: any };

beforeAll(async () => {
  s = await startTestServer();
  [owner, alice, bob, outsider] = await Promise.all([s.register(), s.register(), s.register(), s.register()]);
});
afterAll(() => s.stop());

describe('rooms', () => {
  it('creates a room with defaults; the creator is owner', async () => {
    const res = await s.api('POST', '/api/rooms', { token: owner.token, body: { name: '  General  ' } });
    expect(res.status).toBe(201);
    expect(res.body.room).toMatchObject({
      name: 'General', description: '', visibility: 'private', createdBy: owner.user.id, memberCount: 1, myRole: 'owner', lastSeq: 0,
      settings: { aiMode: 'mention', model: null, systemPrompt: null, webSearch: true },
    });
    const got = await s.api('GET', `/api/rooms/${res.body.room.id}`, { token: owner.token });
    expect(got.status).toBe(200);
    expect(got.body.members).toHaveLength(1);
    expect(got.body.members[0]).toMatchObject({ role: 'owner', user: { id: owner.user.id } });
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'ok', description: 'd'.repeat(1001) }, 'description'],
    [{ name: 'ok', visibility: 'secret' }, 'visibility'],
    [{ name: 'ok', settings: { aiMode: 'sometimes' } }, 'settings.aiMode'],
    [{ name: 'ok', settings: { systemPrompt: 'p'.repeat(8001) } }, 'settings.systemPrompt'],
    [{ name: 'ok', settings: { webSearch: 'yes' } }, 'settings.webSearch'],
    [{ name: 42 }, 'name'],
  ])('rejects bad room input %j naming %s', async (body, field) => {
    const res = await s.api('POST', '/api/rooms', { token: owner.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error.message.startsWith(field)).toBe(true);
  });

  it('lists my rooms, most recent activity first, with memberCount, myRole and lastSeq', async () => {
    const u = await s.register();
    const r1 = await buildRoom(s, u.token, { name: 'first' });
    const r2 = await buildRoom(s, u.token, { name: 'second' });
    await addMember(s, u.token, r1.id, alice.token);
    await postMessage(s, u.token, r1.id, 'bump');
    const list = await s.api('GET', '/api/rooms', { token: u.token });
    expect(list.status).toBe(200);
    expect(list.body.rooms.map((r: any) => r.name)).toEqual(['first', 'second']);
    expect(list.body.rooms[0]).toMatchObject({ memberCount: 2, myRole: 'owner', lastSeq: 2 });
    expect(list.body.rooms[1]).toMatchObject({ id: r2.id, memberCount: 1, lastSeq: 0 });
  });

  it('hides private rooms from non-members with 404 and requires auth', async () => {
    const room = await buildRoom(s, owner.token);
    for (const [m, p] of [['GET', ''], ['PATCH', ''], ['DELETE', ''], ['POST', '/join'], ['POST', '/leave'], ['POST', '/clear'], ['GET', '/messages'], ['POST', '/messages']] as const) {
      const res = await s.api(m, `/api/rooms/${room.id}${p}`, { token: outsider.token, body: m === 'GET' || m === 'DELETE' ? undefined : { name: 'x', content: 'x' } });
      expect(res.status, `${m} ${p}`).toBe(404);
    }
    expect((await s.api('GET', `/api/rooms/${room.id}`)).status).toBe(401);
    expect((await s.api('GET', '/api/rooms/does-not-exist', { token: owner.token })).status).toBe(404);
  });

  it('updates name, description, visibility and settings (owner/admin only)', async () => {
    const room = await buildRoom(s, owner.token);
    await addMember(s, owner.token, room.id, alice.token);
    const denied = await s.api('PATCH', `/api/rooms/${room.id}`, { token: alice.token, body: { name: 'nope' } });
    expect(denied.status).toBe(403);
    const ok = await s.api('PATCH', `/api/rooms/${room.id}`, {
      token: owner.token,
      body: { name: 'Renamed', description: 'about', visibility: 'public', settings: { aiMode: 'always', model: 'anthropic/claude-3.5-sonnet', systemPrompt: 'Be brief.', webSearch: false } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.room).toMatchObject({ name: 'Renamed', description: 'about', visibility: 'public', myRole: 'owner', settings: { aiMode: 'always', model: 'anthropic/claude-3.5-sonnet', systemPrompt: 'Be brief.', webSearch: false } });
    expect(ok.body.room.lastSeq).toBe(2);
    const partial = await s.api('PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { settings: { model: null } } });
    expect(partial.body.room.settings).toMatchObject({ aiMode: 'always', model: null, webSearch: false });
    expect((await s.api('PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: {} })).status).toBe(400);
    // promote alice to admin: now she may update
    expect((await s.api('PATCH', `/api/rooms/${room.id}/members/${alice.user.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(200);
    expect((await s.api('PATCH', `/api/rooms/${room.id}`, { token: alice.token, body: { name: 'by admin' } })).status).toBe(200);
  });

  it('joins public rooms idempotently; private rooms cannot be joined', async () => {
    const pub = await buildRoom(s, owner.token, { visibility: 'public', name: 'Lobby' });
    const priv = await buildRoom(s, owner.token);
    const j1 = await s.api('POST', `/api/rooms/${pub.id}/join`, { token: bob.token });
    expect(j1.status).toBe(200);
    expect(j1.body.room).toMatchObject({ myRole: 'member', memberCount: 2 });
    const j2 = await s.api('POST', `/api/rooms/${pub.id}/join`, { token: bob.token });
    expect(j2.body.room).toMatchObject({ myRole: 'member', memberCount: 2, lastSeq: j1.body.room.lastSeq });
    expect((await s.api('POST', `/api/rooms/${priv.id}/join`, { token: bob.token })).status).toBe(404);
    const discover = await s.api('GET', '/api/rooms/public', { token: outsider.token });
    expect(discover.body.rooms.some((r: any) => r.id === pub.id && r.myRole === null)).toBe(true);
    expect(discover.body.rooms.some((r: any) => r.id === priv.id)).toBe(false);
    const mine = await s.api('GET', '/api/rooms/public', { token: owner.token });
    expect(mine.body.rooms.find((r: any) => r.id === pub.id)).toMatchObject({ myRole: 'owner', memberCount: 2 });
  });

  it('lets members leave, but the owner must hand over first (409)', async () => {
    const room = await buildRoom(s, owner.token);
    await addMember(s, owner.token, room.id, alice.token);
    expect((await s.api('POST', `/api/rooms/${room.id}/leave`, { token: owner.token })).status).toBe(409);
    expect((await s.api('POST', `/api/rooms/${room.id}/leave`, { token: alice.token })).status).toBe(204);
    expect((await s.api('GET', `/api/rooms/${room.id}`, { token: alice.token })).status).toBe(404);
    // hand over, then the old owner may leave
    await addMember(s, owner.token, room.id, bob.token);
    const hand = await s.api('PATCH', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: owner.token, body: { role: 'owner' } });
    expect(hand.status).toBe(200);
    expect(hand.body.member).toMatchObject({ role: 'owner', user: { id: bob.user.id } });
    expect((await s.api('POST', `/api/rooms/${room.id}/leave`, { token: owner.token })).status).toBe(204);
    const got = await s.api('GET', `/api/rooms/${room.id}`, { token: bob.token });
    expect(got.body.room.myRole).toBe('owner');
  });

  it('changes roles (owner only) and removes members (owner/admin, never the owner)', async () => {
    const room = await buildRoom(s, owner.token);
    await addMember(s, owner.token, room.id, alice.token);
    await addMember(s, owner.token, room.id, bob.token);
    expect((await s.api('PATCH', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: alice.token, body: { role: 'admin' } })).status).toBe(403);
    expect((await s.api('PATCH', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: owner.token, body: { role: 'boss' } })).status).toBe(400);
    expect((await s.api('PATCH', `/api/rooms/${room.id}/members/${outsider.user.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(404);
    expect((await s.api('PATCH', `/api/rooms/${room.id}/members/${alice.user.id}`, { token: owner.token, body: { role: 'admin' } })).status).toBe(200);
    expect((await s.api('DELETE', `/api/rooms/${room.id}/members/${owner.user.id}`, { token: alice.token })).status).toBe(403);
    expect((await s.api('DELETE', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: bob.token })).status).toBe(403);
    expect((await s.api('DELETE', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: alice.token })).status).toBe(204);
    expect((await s.api('GET', `/api/rooms/${room.id}`, { token: bob.token })).status).toBe(404);
    expect((await s.api('DELETE', `/api/rooms/${room.id}/members/${bob.user.id}`, { token: alice.token })).status).toBe(404);
  });

  it('clears (owner/admin) and deletes (owner) rooms', async () => {
    const room = await buildRoom(s, owner.token);
    await addMember(s, owner.token, room.id, alice.token);
    await postMessage(s, alice.token, room.id, 'hello');
    expect((await s.api('POST', `/api/rooms/${room.id}/clear`, { token: alice.token })).status).toBe(403);
    expect((await s.api('POST', `/api/rooms/${room.id}/clear`, { token: owner.token })).status).toBe(204);
    const hist = await s.api('GET', `/api/rooms/${room.id}/messages`, { token: alice.token });
    expect(hist.body).toEqual({ messages: [], hasMore: false });
    expect((await s.api('DELETE', `/api/rooms/${room.id}`, { token: alice.token })).status).toBe(403);
    expect((await s.api('DELETE', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(204);
    expect((await s.api('GET', `/api/rooms/${room.id}`, { token: owner.token })).status).toBe(404);
  });

  it('records every change in the room log with consecutive seqs', async () => {
    const room = await buildRoom(s, owner.token);
    await addMember(s, owner.token, room.id, alice.token); // 1 member_joined
    const m = await postMessage(s, alice.token, room.id, 'one'); // 2 message
    await s.api('PATCH', `/api/messages/${m.id}`, { token: alice.token, body: { content: 'one!' } }); // 3
    await s.api('PATCH', `/api/rooms/${room.id}`, { token: owner.token, body: { name: 'r2' } }); // 4
    await s.api('DELETE', `/api/messages/${m.id}`, { token: owner.token }); // 5
    await s.api('POST', `/api/rooms/${room.id}/clear`, { token: owner.token }); // 6
    await s.api('POST', `/api/rooms/${room.id}/leave`, { token: alice.token }); // 7
    const log = await s.deps.roomLog.since(room.id, 0);
    expect(log.resync).toBe(false);
    expect(log.frames.map((f) => [f.seq, f.type])).toEqual([
      [1, 'member_joined'], [2, 'message'], [3, 'message_updated'], [4, 'room_updated'], [5, 'message_deleted'], [6, 'room_cleared'], [7, 'member_left'],
    ]);
    expect(m.seq).toBe(2);
    expect((await s.deps.roomLog.since(room.id, 5)).frames.map((f) => f.seq)).toEqual([6, 7]);
    expect(await s.deps.roomLog.since(room.id, 7)).toEqual({ frames: [], resync: false, lastSeq: 7 });
    expect((await s.deps.roomLog.since(room.id, 99)).resync).toBe(true);
  });
});

describe('room log bound', () => {
  it('keeps the newest ROOM_LOG_KEEP changes and asks older clients to resync', async () => {
    const t = await startTestServer({ ROOM_LOG_KEEP: '100' });
    try {
      const u = await t.register();
      const room = await buildRoom(t, u.token);
      for (let i = 0; i < 130; i++) await postMessage(t, u.token, room.id, `m${i}`);
      const old = await t.deps.roomLog.since(room.id, 5);
      expect(old.resync).toBe(true);
      const recent = await t.deps.roomLog.since(room.id, 120);
      expect(recent.resync).toBe(false);
      expect(recent.frames.map((f) => f.seq)).toEqual([121, 122, 123, 124, 125, 126, 127, 128, 129, 130]);
      const kept = t.deps.sqlite.prepare('SELECT count(*) AS n FROM room_events WHERE room_id = ?').get(room.id) as { n: number };
      expect(kept.n).toBeLessThanOrEqual(110);
      expect(kept.n).toBeGreaterThanOrEqual(100);
    } finally {
      await t.stop();
    }
  });
});
