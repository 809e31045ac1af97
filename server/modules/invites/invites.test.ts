import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { nip19 } from 'nostr-tools';
import { buildRoom } from '../../test/factories.js';
import { startTestServer, type TestServer } from '../../test/testServer.js';
import { normalizePubkey } from './nostrKeys.js';

let s: TestServer;
let owner: { token: string; user: any };
let alice: { token: string; user: any };
let bob: { token: string; user: any };

beforeAll(async () => {
  s = await startTestServer();
  [owner, alice, bob] = await Promise.all([s.register(), s.register(), s.register()]);
});
afterAll(() => s.stop());

describe('invite links', () => {
  it('creates, previews without auth, accepts idempotently and lists active invites', async () => {
    const room = await buildRoom(s, owner.token, { name: 'Invitees' });
    const created = await s.api('POST', '/api/invites', { token: owner.token, body: { roomId: room.id, maxUses: 5 } });
    expect(created.status).toBe(201);
    const { invite, url } = created.body;
    expect(invite).toMatchObject({ roomId: room.id, createdBy: owner.user.id, maxUses: 5, uses: 0 });
    expect(Buffer.from(invite.token, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(url).toBe(`http://chat.test/invite/${invite.token}`);
    const hours = (Date.parse(invite.expiresAt) - Date.parse(invite.createdAt)) / 3_600_000;
    expect(hours).toBe(168);

    const preview = await s.api('GET', `/api/invites/${invite.token}`);
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({ room: { id: room.id, name: 'Invitees', memberCount: 1 }, valid: true });

    const acc = await s.api('POST', `/api/invites/${invite.token}/accept`, { token: alice.token });
    expect(acc.status).toBe(200);
    expect(acc.body.room).toMatchObject({ id: room.id, myRole: 'member', memberCount: 2 });
    const again = await s.api('POST', `/api/invites/${invite.token}/accept`, { token: alice.token });
    expect(again.status).toBe(200);
    const owned = await s.api('POST', `/api/invites/${invite.token}/accept`, { token: owner.token });
    expect(owned.body.room.myRole).toBe('owner');

    const list = await s.api('GET', `/api/invites?roomId=${room.id}`, { token: owner.token });
    expect(list.status).toBe(200);
    expect(list.body.invites).toHaveLength(1);
    expect(list.body.invites[0].uses).toBe(1);
    expect((await s.api('GET', `/api/invites?roomId=${room.id}`, { token: alice.token })).status).toBe(403);
    expect((await s.api('GET', `/api/invites?roomId=${room.id}`, { token: bob.token })).status).toBe(404);
    expect((await s.api('GET', '/api/invites', { token: owner.token })).status).toBe(400);
  });

  it('refuses non-members and bad input', async () => {
    const room = await buildRoom(s, owner.token);
    expect((await s.api('POST', '/api/invites', { token: bob.token, body: { roomId: room.id } })).status).toBe(404);
    for (const body of [{ roomId: room.id, maxUses: 0 }, { roomId: room.id, maxUses: 1001 }, { roomId: room.id, expiresInHours: 721 }, { roomId: room.id, expiresInHours: 0 }, {}]) {
      const res = await s.api('POST', '/api/invites', { token: owner.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await s.api('GET', '/api/invites/unknown-token-1234567890')).status).toBe(404);
    expect((await s.api('GET', '/api/invites/bad!token')).status).toBe(400);
  });

  it('answers 410 for used up, expired and revoked invites', async () => {
    const room = await buildRoom(s, owner.token);
    const one = (await s.api('POST', '/api/invites', { token: owner.token, body: { roomId: room.id, maxUses: 1 } })).body.invite;
    expect((await s.api('POST', `/api/invites/${one.token}/accept`, { token: alice.token })).status).toBe(200);
    const used = await s.api('POST', `/api/invites/${one.token}/accept`, { token: bob.token });
    expect(used.status).toBe(410);
    expect(used.body.error.code).toBe('invite_expired');
    expect((await s.api('GET', `/api/invites/${one.token}`)).body.valid).toBe(false);

    const exp = (await s.api('POST', '/api/invites', { token: owner.token, body: { roomId: room.id, expiresInHours: 1 } })).body.invite;
    s.deps.sqlite.prepare('UPDATE invites SET expires_at = ? WHERE token = ?').run(new Date(Date.now() - 1000).toISOString(), exp.token);
    expect((await s.api('POST', `/api/invites/${exp.token}/accept`, { token: bob.token })).status).toBe(410);

    const rev = (await s.api('POST', '/api/invites', { token: alice.token, body: { roomId: room.id } })).body.invite;
    expect((await s.api('DELETE', `/api/invites/${rev.token}`, { token: bob.token })).status).toBe(404);
    expect((await s.api('DELETE', `/api/invites/${rev.token}`, { token: alice.token })).status).toBe(204);
    expect((await s.api('POST', `/api/invites/${rev.token}/accept`, { token: bob.token })).status).toBe(410);
    expect((await s.api('GET', `/api/invites?roomId=${room.id}`, { token: owner.token })).body.invites).toHaveLength(0);
  });

  it('never exceeds maxUses under concurrent accepts', async () => {
    const room = await buildRoom(s, owner.token);
    const users = await Promise.all(Array.from({ length: 8 }, () => s.register()));
    const inv = (await s.api('POST', '/api/invites', { token: owner.token, body: { roomId: room.id, maxUses: 3 } })).body.invite;
    const results = await Promise.all(users.map((u) => s.api('POST', `/api/invites/${inv.token}/accept`, { token: u.token })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(3);
    expect(results.filter((r) => r.status === 410)).toHaveLength(5);
    const got = await s.api('GET', `/api/rooms/${room.id}`, { token: owner.token });
    expect(got.body.room.memberCount).toBe(4);
  });
});

describe('Nostr invites', () => {
  it('normalises npub, nprofile, nostr: URIs and hex in any case', () => {
    const pk = getPublicKey(generateSecretKey());
    const npub = nip19.npubEncode(pk);
    for (const input of [pk, pk.toUpperCase(), npub, npub.toUpperCase(), `nostr:${npub}`, `@${npub}`, nip19.nprofileEncode({ pubkey: pk, relays: ['wss://r.example'] }), `  ${pk}  `]) {
      expect(normalizePubkey(input)).toBe(pk);
    }
  });

  it.each([
    ['nsec', () => nip19.nsecEncode(generateSecretKey()), /secret key/],
    ['bad checksum', () => {
      const npub = nip19.npubEncode(getPublicKey(generateSecretKey()));
      return npub.slice(0, -1) + (npub.endsWith('q') ? 'p' : 'q');
    }, /npub/],
    ['63 hex', () => 'a'.repeat(63), /pubkey/],
    ['65 hex', () => 'a'.repeat(65), /pubkey/],
    ['empty', () => '', /pubkey/],
    ['nip05', () => 'bob@example.com', /NIP-05/],
  ])('rejects %s with 400', async (_name, make, message) => {
    const room = await buildRoom(s, owner.token);
    const res = await s.api('POST', '/api/invites/nostr', { token: owner.token, body: { roomId: room.id, pubkey: make() } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('adds an existing user at once and keeps a pending invite otherwise', async () => {
    const room = await buildRoom(s, owner.token);
    const pk = getPublicKey(generateSecretKey());
    s.deps.sqlite.prepare('UPDATE users SET nostr_pubkey = ? WHERE id = ?').run(pk, bob.user.id);
    const added = await s.api('POST', '/api/invites/nostr', { token: owner.token, body: { roomId: room.id, pubkey: nip19.npubEncode(pk) } });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ roomId: room.id, pubkey: pk, npub: nip19.npubEncode(pk), status: 'added' });
    expect((await s.api('GET', `/api/rooms/${room.id}`, { token: bob.token })).status).toBe(200);

    const stranger = getPublicKey(generateSecretKey());
    const pending = await s.api('POST', '/api/invites/nostr', { token: owner.token, body: { roomId: room.id, pubkey: stranger.toUpperCase() } });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ pubkey: stranger, status: 'pending' });
    const pendingRow = s.deps.sqlite.prepare('SELECT invited_by FROM nostr_invites WHERE room_id = ? AND pubkey = ?').get(room.id, stranger);
    expect(pendingRow).toEqual({ invited_by: owner.user.id });
    expect((await s.api('POST', '/api/invites/nostr', { token: alice.token, body: { roomId: room.id, pubkey: stranger } })).status).toBe(404);
  });
});
