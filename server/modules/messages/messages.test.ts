import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { addMember, buildRoom, postMessage } from '../../test/factories.js';
import { startTestServer, type TestServer } from '../../test/testServer.js';
import { makePng } from '../uploads/testImages.js';
import { uploadImage } from '../uploads/testSupport.js';

let s: TestServer;
let owner: { token: string; user: any };
let alice: { token: string; user: any };
let outsider: { token: string; user: any };
let room: any;

beforeAll(async () => {
  s = await startTestServer();
  [owner, alice, outsider] = await Promise.all([s.register(), s.register(), s.register()]);
  room = await buildRoom(s, owner.token);
  await addMember(s, owner.token, room.id, alice.token);
});
afterAll(() => s.stop());

describe('messages', () => {
  it('sends a message with the contract shape', async () => {
    const res = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: '  hello world  ' } });
    expect(res.status).toBe(201);
    const m = res.body.message;
    expect(Object.keys(m).sort()).toEqual(['ai', 'attachments', 'author', 'content', 'createdAt', 'editedAt', 'hash', 'id', 'replyTo', 'role', 'roomId', 'seq'].sort());
    expect(m).toMatchObject({ roomId: room.id, role: 'user', content: 'hello world', replyTo: null, attachments: [], editedAt: null, ai: null, author: { id: alice.user.id } });
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
    const canonical = JSON.stringify(['chat-message-v1', m.id, room.id, alice.user.id, 'user', 'hello world', m.createdAt]);
    expect(m.hash).toBe(createHash('sha256').update(canonical).digest('hex'));
  });

  it.each([
    [{ content: '' }, 'content'],
    [{ content: '    ' }, 'content'],
    [{ content: 'x'.repeat(16_001) }, 'content'],
    [{ content: 5 }, 'content'],
    [{ content: 'hi', clientId: 'c'.repeat(65) }, 'clientId'],
    [{ content: 'hi', attachments: 'nope' }, 'attachments'],
    [{ content: 'hi', attachments: Array.from({ length: 11 }, (_, i) => `u${i}`) }, 'attachments'],
    [{ content: 'hi', replyTo: 'no-such-message' }, 'replyTo'],
    [{ content: 'hi', attachments: ['unknown-upload'] }, 'attachments'],
  ])('rejects bad send %j naming %s', async (body, field) => {
    const res = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message.startsWith(field)).toBe(true);
  });

  it('attaches only the sender’s own unused uploads, once, in order', async () => {
    const upload = async (token: string) => (await uploadImage(s, token, makePng(2, 2))).body.upload;
    const [a1, a2, o1] = [await upload(alice.token), await upload(alice.token), await upload(owner.token)];
    const theft = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'mine?', attachments: [o1.id] } });
    expect(theft.status).toBe(400);
    expect(theft.body.error.message).toMatch(/^attachments/);
    const ok = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: '', attachments: [a2.id, a1.id] } });
    expect(ok.status).toBe(201);
    expect(ok.body.message.attachments.map((x: any) => x.id)).toEqual([a2.id, a1.id]);
    expect(ok.body.message.attachments[0]).toEqual(a2);
    const reuse = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'again', attachments: [a1.id] } });
    expect(reuse.status).toBe(400);
    // The failed sends stored nothing: the owner's upload is still free for the owner.
    expect((await s.api('POST', `/api/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'mine', attachments: [o1.id] } })).status).toBe(201);
  });

  it('accepts exactly 16000 characters', async () => {
    const res = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'y'.repeat(16_000) } });
    expect(res.status).toBe(201);
  });

  it('requires replyTo to be a message of the same room', async () => {
    const other = await buildRoom(s, owner.token);
    const foreign = await postMessage(s, owner.token, other.id, 'elsewhere');
    const bad = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'hi', replyTo: foreign.id } });
    expect(bad.status).toBe(400);
    const parent = await postMessage(s, owner.token, room.id, 'parent');
    const ok = await postMessage(s, alice.token, room.id, 'child', { replyTo: parent.id });
    expect(ok.replyTo).toBe(parent.id);
  });

  it('is idempotent per author with clientId', async () => {
    const first = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'once', clientId: 'c-1' } });
    const again = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'once', clientId: 'c-1' } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(first.body.message.id);
    const byOther = await s.api('POST', `/api/rooms/${room.id}/messages`, { token: owner.token, body: { content: 'once', clientId: 'c-1' } });
    expect(byOther.status).toBe(201);
    expect(byOther.body.message.id).not.toBe(first.body.message.id);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => s.api('POST', `/api/rooms/${room.id}/messages`, { token: alice.token, body: { content: 'race', clientId: 'c-race' } })));
    expect(new Set(parallel.map((r) => r.body.message.id)).size).toBe(1);
  });

  it('edits (author only) and deletes (author, owner, admin)', async () => {
    const m = await postMessage(s, alice.token, room.id, 'draft');
    expect((await s.api('PATCH', `/api/messages/${m.id}`, { token: owner.token, body: { content: 'hijack' } })).status).toBe(403);
    expect((await s.api('PATCH', `/api/messages/${m.id}`, { token: outsider.token, body: { content: 'x' } })).status).toBe(404);
    expect((await s.api('PATCH', `/api/messages/${m.id}`, { token: alice.token, body: { content: '' } })).status).toBe(400);
    const edited = await s.api('PATCH', `/api/messages/${m.id}`, { token: alice.token, body: { content: 'final' } });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ id: m.id, content: 'final', seq: m.seq, hash: m.hash });
    expect(edited.body.message.editedAt).not.toBeNull();

    const m2 = await postMessage(s, owner.token, room.id, 'owner msg');
    expect((await s.api('DELETE', `/api/messages/${m2.id}`, { token: alice.token })).status).toBe(403);
    expect((await s.api('DELETE', `/api/messages/${m.id}`, { token: outsider.token })).status).toBe(404);
    expect((await s.api('DELETE', `/api/messages/${m.id}`, { token: owner.token })).status).toBe(204);
    expect((await s.api('DELETE', `/api/messages/${m.id}`, { token: owner.token })).status).toBe(404);
    expect((await s.api('DELETE', `/api/messages/${m2.id}`, { token: owner.token })).status).toBe(204);
  });

  it('finds a message by hash for members only', async () => {
    const m = await postMessage(s, alice.token, room.id, 'hashed');
    const ok = await s.api('GET', `/api/messages/hash/${m.hash}`, { token: owner.token });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ message: { id: m.id }, room: { id: room.id, name: room.name } });
    expect((await s.api('GET', `/api/messages/hash/${m.hash.toUpperCase()}`, { token: owner.token })).status).toBe(200);
    expect((await s.api('GET', `/api/messages/hash/${m.hash}`, { token: outsider.token })).status).toBe(404);
    expect((await s.api('GET', `/api/messages/hash/${m.hash.slice(0, 63)}`, { token: owner.token })).status).toBe(400);
    expect((await s.api('GET', `/api/messages/hash/${'0'.repeat(64)}`, { token: owner.token })).status).toBe(404);
  });
});

describe('history paging', () => {
  it('pages a room of 1,000 messages both directions with no gap or duplicate', async () => {
    const u = await s.register();
    const r = await buildRoom(s, u.token);
    // Seed through the real service (fast path, same rules) rather than 1,000 HTTP round trips.
    const user = (await s.deps.db.selectFrom('users').selectAll().where('id', '=', u.user.id).executeTakeFirst())!;
    for (let i = 0; i < 1000; i++) await s.deps.messages.send(user, r.id, { content: `m${i}` });

    const newest = await s.api('GET', `/api/rooms/${r.id}/messages`, { token: u.token });
    expect(newest.body.messages).toHaveLength(50);
    expect(newest.body.hasMore).toBe(true);
    expect(newest.body.messages.at(-1).content).toBe('m999');

    const back: string[] = [];
    let before: number | undefined;
    for (;;) {
      const res = await s.api('GET', `/api/rooms/${r.id}/messages?limit=200${before ? `&before=${before}` : ''}`, { token: u.token });
      expect(res.status).toBe(200);
      const seqs = res.body.messages.map((m: any) => m.seq);
      expect(seqs).toEqual([...seqs].sort((a: number, b: number) => a - b));
      back.unshift(...res.body.messages.map((m: any) => m.content));
      if (!res.body.hasMore) break;
      before = res.body.messages[0].seq;
    }
    expect(back).toEqual(Array.from({ length: 1000 }, (_, i) => `m${i}`));

    const fwd: string[] = [];
    let after = 0;
    for (;;) {
      const res = await s.api('GET', `/api/rooms/${r.id}/messages?limit=137&after=${after}`, { token: u.token });
      fwd.push(...res.body.messages.map((m: any) => m.content));
      if (!res.body.hasMore) break;
      after = res.body.messages.at(-1).seq;
    }
    expect(fwd).toEqual(back);
  });

  it('rejects bad cursors and limits', async () => {
    for (const q of ['limit=0', 'limit=201', 'limit=abc', 'before=-1', 'before=1.5', 'before=1&after=2']) {
      const res = await s.api('GET', `/api/rooms/${room.id}/messages?${q}`, { token: alice.token });
      expect(res.status, q).toBe(400);
    }
  });

  it('uses the (room_id, seq) index, never a scan', () => {
    const plan = s.deps.sqlite.prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT 51').all('r', 10) as Array<{ detail: string }>;
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/USING INDEX messages_room_seq/);
  });
});
