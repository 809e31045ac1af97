import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { startTestServer, type TestServer } from '../../test/testServer.js';
import { runUploadCleanup } from './cleanup.js';
import { attachUploads, findAttachmentsForMessages } from './repo.js';
import { makePng } from './testImages.js';
import { diskPath, uploadAvatar, uploadImage } from './testSupport.js';

let s: TestServer;
let alice: { token: string; user: any };
let bob: { token: string; user: any };

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.register('alice_cl');
  bob = await s.register('bob_cl');
});
afterAll(async () => {
  await s.stop();
});

describe('attachment repo functions', () => {
  it('attaches own unattached chat uploads in the given order, and nothing else', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await uploadImage(s, alice.token, makePng(i + 1, 1))).body.upload.id);
    const bobs = (await uploadImage(s, bob.token, makePng(1, 1))).body.upload.id;
    const db = s.deps.db;
    expect(await attachUploads(db, 'msg-1', alice.user.id, [ids[2], ids[0], bobs])).toBe(2);
    expect(await attachUploads(db, 'msg-2', alice.user.id, [ids[0], ids[1], 'nope'])).toBe(1); // ids[0] already used
    const rows = await findAttachmentsForMessages(db, ['msg-2', 'msg-1']);
    expect(rows.map((r) => [r.message_id, r.id, r.position])).toEqual([
      ['msg-1', ids[2], 0],
      ['msg-1', ids[0], 1],
      ['msg-2', ids[1], 1],
    ]);
    expect((await db.selectFrom('uploads').select('message_id').where('id', 'in', [bobs, 'nope']).execute()).map((r) => r.message_id)).toEqual([null]);
    await db.deleteFrom('uploads').where('id', 'in', [...ids, bobs]).execute();
  });
});

describe('upload cleanup', () => {
  it('removes old unattached uploads, uploads of deleted messages and stray files; keeps the rest', async () => {
    const t = await startTestServer();
    try {
      const u = await t.register('cleaner');
      const now = Date.now();
      const old = (await uploadImage(t, u.token, makePng(1, 1))).body.upload;
      const fresh = (await uploadImage(t, u.token, makePng(2, 1))).body.upload;
      const kept = (await uploadImage(t, u.token, makePng(3, 1))).body.upload;
      const doomed = (await uploadImage(t, u.token, makePng(4, 1))).body.upload;
      const avatar = (await uploadAvatar(t, u.token, makePng(5, 1))).body.user.avatarUrl;
      const dayAgo = new Date(now - 25 * 3600_000).toISOString();
      await t.deps.db.updateTable('uploads').set({ created_at: dayAgo }).execute(); // everything looks old...
      await t.deps.db.updateTable('uploads').set({ created_at: new Date(now).toISOString() }).where('id', '=', fresh.id).execute();

      const room = await t.api('POST', '/api/rooms', { token: u.token, body: { name: 'pics' } });
      expect(room.status).toBe(201);
      const send = (ids: string[]) => t.api('POST', `/api/rooms/${room.body.room.id}/messages`, { token: u.token, body: { content: 'look', attachments: ids } });
      const m1 = await send([kept.id]);
      expect(m1.status).toBe(201);
      expect(m1.body.message.attachments).toEqual([kept]);
      const m2 = await send([doomed.id]);
      expect(m2.status).toBe(201);
      expect((await t.api('DELETE', `/api/messages/${m2.body.message.id}`, { token: u.token })).status).toBe(204);

      const strayOld = path.join(t.dir, 'uploads', 'chat-images', 'CCCCCCCCCCCCCCCCCCCCCC.gif');
      const strayNew = path.join(t.dir, 'uploads', 'chat-images', 'DDDDDDDDDDDDDDDDDDDDDD.gif');
      const unrelated = path.join(t.dir, 'uploads', 'chat-images', 'README');
      for (const f of [strayOld, strayNew, unrelated]) writeFileSync(f, 'x');
      utimesSync(strayOld, new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));
      utimesSync(unrelated, new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));
      const oldTmp = path.join(t.deps.uploads.tmpRoot, 'req-crashed');
      mkdirSync(oldTmp, { recursive: true });
      writeFileSync(path.join(oldTmp, 'part'), 'x');
      utimesSync(oldTmp, new Date(now - 2 * 3600_000), new Date(now - 2 * 3600_000));

      const report = await runUploadCleanup(t.deps, now);
      expect(report).toEqual({ unattached: 1, orphaned: 1, strayFiles: 2 });

      const rows = await t.deps.db.selectFrom('uploads').select(['id', 'kind']).execute();
      expect(rows.filter((r) => r.kind === 'chat').map((r) => r.id).sort()).toEqual([fresh.id, kept.id].sort());
      expect(rows.filter((r) => r.kind === 'avatar')).toHaveLength(1);
      for (const [url, present] of [[old.url, false], [doomed.url, false], [fresh.url, true], [kept.url, true], [avatar, true]] as const) {
        expect({ url, present: existsSync(diskPath(t, url)) }).toEqual({ url, present });
        expect((await fetch(t.url + url)).status).toBe(present ? 200 : 404);
      }
      expect([existsSync(strayOld), existsSync(strayNew), existsSync(unrelated), existsSync(oldTmp)]).toEqual([false, true, true, false]);

      // A second run finds nothing left to do.
      expect(await runUploadCleanup(t.deps, now)).toEqual({ unattached: 0, orphaned: 0, strayFiles: 0 });
    } finally {
      await t.stop();
    }
  });
});

describe('upload configuration', () => {
  it('defaults the limits and rejects a bad UPLOAD_UNATTACHED_TTL', () => {
    const base = { JWT_SECRET: 'x'.repeat(40), NODE_ENV: 'test' };
    expect(loadConfig(base)).toMatchObject({ uploadRateLimit: 30, uploadUnattachedTtlSeconds: 86_400 });
    expect(loadConfig({ ...base, UPLOAD_UNATTACHED_TTL: '2h', UPLOAD_RATE_LIMIT: '5' })).toMatchObject({ uploadRateLimit: 5, uploadUnattachedTtlSeconds: 7200 });
    expect(() => loadConfig({ ...base, UPLOAD_UNATTACHED_TTL: '10' })).toThrow(/UPLOAD_UNATTACHED_TTL/);
    expect(() => loadConfig({ ...base, UPLOAD_RATE_LIMIT: '0' })).toThrow(/UPLOAD_RATE_LIMIT/);
  });
});

describe('upload rate limit', () => {
  it('limits uploads per user with 429 and Retry-After, avatars included', async () => {
    const t = await startTestServer({ UPLOAD_RATE_LIMIT: '2' });
    try {
      const u = await t.register('busy');
      const other = await t.register('calm');
      const codes: number[] = [];
      codes.push((await uploadImage(t, u.token, makePng(1, 1))).status);
      codes.push((await uploadAvatar(t, u.token, makePng(1, 1))).status);
      const limited = await uploadImage(t, u.token, makePng(1, 1));
      codes.push(limited.status);
      expect(codes).toEqual([201, 200, 429]);
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await uploadImage(t, other.token, makePng(1, 1))).status).toBe(201);
    } finally {
      await t.stop();
    }
  });
});
