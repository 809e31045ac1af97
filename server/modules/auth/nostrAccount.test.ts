import { beforeAll, describe, expect, it } from 'vitest';
import { generateSecretKey, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import type { TestServer } from '../../test/testServer.js';
import { AppError } from '../../errors.js';
import { NostrAuthService } from './nostrService.js';
import { LINK_URL, ORIGIN, nowSec, useNostrServer } from './nostrTestKit.js';

// Sign-in with Nostr beyond the verify checklist: the injectable clock, linking a key to a
// password account, kind-0 profiles, and pending Nostr invites.
const { ctx, challenge, sign, profileEvent, verify, loggedReason, expectRejected } = useNostrServer();
let s: TestServer;
beforeAll(() => {
  s = ctx.s;
});

describe('the clock (injectable) and expiry', () => {
  it('refuses a challenge once its 5 minutes are over, and purges it on the next issue', async () => {
    let clock = Date.now();
    const service = new NostrAuthService({ db: s.deps.db, tokens: s.deps.tokens, logger: s.deps.logger, publicUrl: ORIGIN, now: () => clock });
    const sk = generateSecretKey();
    const issued = await service.issueChallenge();
    clock += 301_000;
    const ev = sign(sk, issued.challenge, { created_at: Math.floor(clock / 1000) });
    await expect(service.signIn({ event: ev })).rejects.toMatchObject({ status: 401, code: 'nostr_auth_failed' });
    expect(loggedReason()).toBe('challenge_invalid');
    await service.issueChallenge();
    expect(await s.deps.db.selectFrom('nostr_challenges').select('challenge').where('challenge', '=', issued.challenge).executeTakeFirst()).toBeUndefined();

    const fresh = await service.issueChallenge();
    clock += 299_000;
    const res = await service.signIn({ event: sign(sk, fresh.challenge, { created_at: Math.floor(clock / 1000) }) });
    expect(res.created).toBe(true);
    await expect(service.signIn({ event: sign(sk, fresh.challenge) })).rejects.toBeInstanceOf(AppError);
  });
});

describe('POST /api/auth/nostr/link', () => {
  const link = (token: string | undefined, body: unknown) => s.api('POST', '/api/auth/nostr/link', { token, body });

  it('links a key to a password account; signing in with it then reaches that account', async () => {
    const { token, user } = await s.register();
    const sk = generateSecretKey();
    const pk = getPublicKey(sk);
    const res = await link(token, { event: sign(sk, await challenge(), { url: LINK_URL }) });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: user.id, username: user.username, nostrPubkey: pk, npub: npubEncode(pk) });
    const signIn = await verify({ event: sign(sk, await challenge()) });
    expect(signIn.status).toBe(200);
    expect(signIn.body).toMatchObject({ created: false, user: { id: user.id } });
    // Linking the same key again is idempotent.
    expect((await link(token, { event: sign(sk, await challenge(), { url: LINK_URL }) })).status).toBe(200);
  });

  it('answers 409 for a key of another account and for an account that already has another key', async () => {
    const sk = generateSecretKey();
    const other = await verify({ event: sign(sk, await challenge()) });
    expect(other.status).toBe(200);
    const { token } = await s.register();
    const taken = await link(token, { event: sign(sk, await challenge(), { url: LINK_URL }) });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('conflict');

    expect((await link(token, { event: sign(generateSecretKey(), await challenge(), { url: LINK_URL }) })).status).toBe(200);
    const second = await link(token, { event: sign(generateSecretKey(), await challenge(), { url: LINK_URL }) });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('conflict');
  });

  it('requires a token and an event signed for the link URL', async () => {
    const sk = generateSecretKey();
    expect((await link(undefined, { event: sign(sk, await challenge(), { url: LINK_URL }) })).status).toBe(401);
    const { token } = await s.register();
    expectRejected(await link(token, { event: sign(sk, await challenge()) }), 'wrong_url');
    expectRejected(await link(token, { event: { ...sign(sk, await challenge(), { url: LINK_URL }), sig: '0'.repeat(128) } }), 'bad_signature');
    const me = await s.api('GET', '/api/auth/me', { token });
    expect(me.body.user.nostrPubkey).toBeNull();
  });

  it('takes the profile name and picture when linking while they are still defaults', async () => {
    const { token } = await s.register();
    const sk = generateSecretKey();
    const res = await link(token, { event: sign(sk, await challenge(), { url: LINK_URL }), profile: profileEvent(sk, { display_name: 'Linked Lin', picture: 'https://img.example/l.png' }) });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ displayName: 'Linked Lin', avatarUrl: 'https://img.example/l.png' });
  });
});

describe('kind-0 profile on sign-in', () => {
  it('takes display_name and an https picture on creation', async () => {
    const sk = generateSecretKey();
    const res = await verify({
      event: sign(sk, await challenge()),
      profile: profileEvent(sk, { name: 'al', display_name: ' Alice\u0007 Nostr ', picture: 'https://img.example/alice.png' }),
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ displayName: 'Alice Nostr', avatarUrl: 'https://img.example/alice.png' });
  });

  it('ignores bad profiles without failing the sign-in', async () => {
    const sk = generateSecretKey();
    const npub = npubEncode(getPublicKey(sk));
    const cases = [
      profileEvent(generateSecretKey(), { name: 'Impostor' }),
      profileEvent(sk, { name: 'Kind one' }, { kind: 1 }),
      profileEvent(sk, { name: 'Future' }, { created_at: nowSec() + 3600 }),
      { ...profileEvent(sk, { name: 'Tampered' }), content: JSON.stringify({ name: 'Changed' }) },
      'not an event',
      42,
    ];
    for (const profile of cases) {
      const res = await verify({ event: sign(sk, await challenge()), profile });
      expect(res.status).toBe(200);
      expect(res.body.user.displayName).toBe(npub.slice(0, 13));
      expect(res.body.user.avatarUrl).toBeNull();
    }
    const httpPic = await verify({ event: sign(sk, await challenge()), profile: profileEvent(sk, { name: 'Plain', picture: 'http://img.example/p.png' }) });
    expect(httpPic.body.user).toMatchObject({ displayName: 'Plain', avatarUrl: null });
  });

  it('updates only a default displayName and a missing avatar on later sign-ins', async () => {
    const sk = generateSecretKey();
    const first = await verify({ event: sign(sk, await challenge()) });
    const token = first.body.token;
    expect((await s.api('PATCH', '/api/auth/profile', { token, body: { displayName: 'Chosen' } })).status).toBe(200);
    const later = await verify({ event: sign(sk, await challenge()), profile: profileEvent(sk, { name: 'From relay', picture: 'https://img.example/1.png' }) });
    expect(later.body.user).toMatchObject({ displayName: 'Chosen', avatarUrl: 'https://img.example/1.png' });
    const again = await verify({ event: sign(sk, await challenge()), profile: profileEvent(sk, { picture: 'https://img.example/2.png' }) });
    expect(again.body.user.avatarUrl).toBe('https://img.example/1.png');
  });
});

describe('pending Nostr invites', () => {
  it('turns an invite by npub into membership on that key first sign-in', async () => {
    const owner = await s.register();
    const room = await s.api('POST', '/api/rooms', { token: owner.token, body: { name: 'Nostr friends' } });
    expect(room.status).toBe(201);
    const roomId = room.body.room.id;
    const sk = generateSecretKey();
    const npub = npubEncode(getPublicKey(sk));
    const invite = await s.api('POST', '/api/invites/nostr', { token: owner.token, body: { roomId, pubkey: npub } });
    expect(invite.status).toBe(201);
    expect(invite.body.status).toBe('pending');

    const res = await verify({ event: sign(sk, await challenge()) });
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(true);
    const seen = await s.api('GET', `/api/rooms/${roomId}`, { token: res.body.token });
    expect(seen.status).toBe(200);
    expect(seen.body.members.map((m: any) => m.user.id)).toContain(res.body.user.id);
  });

  it('turns pending invites into membership when a password account links the key', async () => {
    const owner = await s.register();
    const roomId = (await s.api('POST', '/api/rooms', { token: owner.token, body: { name: 'Linkers' } })).body.room.id;
    const sk = generateSecretKey();
    await s.api('POST', '/api/invites/nostr', { token: owner.token, body: { roomId, pubkey: getPublicKey(sk) } });
    const { token } = await s.register();
    expect((await s.api('GET', `/api/rooms/${roomId}`, { token })).status).toBe(404);
    expect((await s.api('POST', '/api/auth/nostr/link', { token, body: { event: sign(sk, await challenge(), { url: LINK_URL }) } })).status).toBe(200);
    expect((await s.api('GET', `/api/rooms/${roomId}`, { token })).status).toBe(200);
  });
});

