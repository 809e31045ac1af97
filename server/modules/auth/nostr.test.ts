import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateSecretKey, getEventHash, getPublicKey } from 'nostr-tools/pure';
import { npubEncode } from 'nostr-tools/nip19';
import { startTestServer, type TestServer } from '../../test/testServer.js';
import { LINK_URL, ORIGIN, VERIFY_URL, nowSec, useNostrServer } from './nostrTestKit.js';

// Vectors of notes/nostr.md §5 covered here: 1–9 and 11–19. Not applicable: 10 (no cookie/session
// binding of challenges; API clients are not browsers), 20 (challenges are not bound to a pubkey),
// 21 (no NIP-98 Authorization header, so no payload hash). Pure shape/signature/profile cases are in
// nostrVerify.test.ts.
const { ctx, challenge, sign, verify, loggedReason, expectRejected, rawPost } = useNostrServer();
let s: TestServer;
beforeAll(() => {
  s = ctx.s;
});

describe('POST /api/auth/nostr/challenge', () => {
  it('issues 32 random bytes with a 5-minute expiry and the exact tags to sign', async () => {
    const before = Date.now();
    const res = await s.api('POST', '/api/auth/nostr/challenge');
    expect(res.status).toBe(200);
    const { challenge: ch, expiresAt, kind, tags } = res.body;
    expect(ch).toMatch(/^[0-9a-f]{64}$/);
    expect(kind).toBe(27235);
    expect(tags).toEqual([['u', VERIFY_URL], ['method', 'POST'], ['challenge', ch]]);
    const ttl = Date.parse(expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual(299_000);
    expect(ttl).toBeLessThanOrEqual(301_000);
    expect((await challenge()) === ch).toBe(false);
    const row = await s.deps.db.selectFrom('nostr_challenges').selectAll().where('challenge', '=', ch).executeTakeFirst();
    expect(row).toMatchObject({ expires_at: expiresAt, consumed_at: null });
  });

  it('never takes the URL from Host or X-Forwarded-Host', async () => {
    const res = await rawPost('/api/auth/nostr/challenge', '', { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text).tags[0]).toEqual(['u', VERIFY_URL]);
  });

  it('purges expired challenges when issuing', async () => {
    const old = randomBytes(32).toString('hex');
    await s.deps.db.insertInto('nostr_challenges').values({ challenge: old, created_at: '2020-01-01T00:00:00.000Z', expires_at: '2020-01-01T00:05:00.000Z', consumed_at: null }).execute();
    await challenge();
    expect(await s.deps.db.selectFrom('nostr_challenges').select('challenge').where('challenge', '=', old).executeTakeFirst()).toBeUndefined();
  });

  it('refuses new challenges with 429 while 10,000 unconsumed ones are outstanding', async () => {
    const expires = new Date(Date.now() + 120_000).toISOString();
    const created = new Date().toISOString();
    const ids: string[] = [];
    for (let chunk = 0; chunk < 20; chunk++) {
      const rows = Array.from({ length: 500 }, () => ({ challenge: randomBytes(32).toString('hex'), created_at: created, expires_at: expires, consumed_at: null }));
      ids.push(...rows.map((r) => r.challenge));
      await s.deps.db.insertInto('nostr_challenges').values(rows).execute();
    }
    const full = await s.api('POST', '/api/auth/nostr/challenge');
    expect(full.status).toBe(429);
    expect(full.body.error.code).toBe('rate_limited');
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThan(0);
    // Consumed challenges do not count against the cap.
    await s.deps.db.updateTable('nostr_challenges').set({ consumed_at: created }).where('challenge', 'in', ids.slice(0, 1000)).execute();
    expect((await s.api('POST', '/api/auth/nostr/challenge')).status).toBe(200);
    for (let i = 0; i < ids.length; i += 500) await s.deps.db.deleteFrom('nostr_challenges').where('challenge', 'in', ids.slice(i, i + 500)).execute();
  });

  it('is rate-limited per IP with AUTH_RATE_LIMIT', async () => {
    const t = await startTestServer({ AUTH_RATE_LIMIT: '2' });
    try {
      expect((await t.api('POST', '/api/auth/nostr/challenge')).status).toBe(200);
      expect((await t.api('POST', '/api/auth/nostr/challenge')).status).toBe(200);
      const third = await t.api('POST', '/api/auth/nostr/challenge');
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBeTruthy();
    } finally {
      await t.stop();
    }
  });
});

describe('POST /api/auth/nostr/verify', () => {
  it('signs up on first use and signs into the same user afterwards (vector 1)', async () => {
    const sk = generateSecretKey();
    const pk = getPublicKey(sk);
    const npub = npubEncode(pk);
    const first = await verify({ event: sign(sk, await challenge()) });
    expect(first.status).toBe(200);
    expect(first.body.created).toBe(true);
    expect(first.body.user).toMatchObject({ username: npub.slice(0, 13), displayName: npub.slice(0, 13), nostrPubkey: pk, npub, avatarUrl: null });
    const me = await s.api('GET', '/api/auth/me', { token: first.body.token });
    expect(me.body.user.id).toBe(first.body.user.id);
    const row = await s.deps.db.selectFrom('users').select('password_hash').where('id', '=', first.body.user.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toBeNull();

    const second = await verify({ event: sign(sk, await challenge()) });
    expect(second.status).toBe(200);
    expect(second.body.created).toBe(false);
    expect(second.body.user.id).toBe(first.body.user.id);
    // A password account cannot log in with the generated name (no password exists).
    expect((await s.api('POST', '/api/auth/login', { body: { username: npub.slice(0, 13), password: 'whatever123' } })).status).toBe(401);
  });

  it('makes the generated username unique when it is taken', async () => {
    const sk = generateSecretKey();
    const npub = npubEncode(getPublicKey(sk));
    await s.register(npub.slice(0, 13).toUpperCase());
    const res = await verify({ event: sign(sk, await challenge()) });
    expect(res.status).toBe(200);
    expect(res.body.user.username).toBe(npub.slice(0, 17));
  });

  it('accepts a valid event whatever Host / X-Forwarded-Host say, and refuses a `u` matching a spoofed host (vector 14)', async () => {
    const sk = generateSecretKey();
    const spoof = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'content-type': 'application/json' };
    const ok = await rawPost('/api/auth/nostr/verify', JSON.stringify({ event: sign(sk, await challenge()) }), spoof);
    expect(ok.status).toBe(200);
    const evil = sign(sk, await challenge(), { url: 'http://evil.example/api/auth/nostr/verify' });
    const bad = await rawPost('/api/auth/nostr/verify', JSON.stringify({ event: evil }), spoof);
    expect(bad.status).toBe(401);
    expect(loggedReason()).toBe('wrong_url');
  });

  it('rejects a flipped signature, a changed content, a recomputed id and an off-curve key (vectors 2-4, 18)', async () => {
    const sk = generateSecretKey();
    const ch = await challenge();
    const ev = sign(sk, ch);
    expectRejected(await verify({ event: { ...ev, sig: (ev.sig[0] === 'a' ? 'b' : 'a') + ev.sig.slice(1) } }), 'bad_signature');
    expectRejected(await verify({ event: { ...ev, content: 'changed' } }), 'bad_signature');
    const recomputed = { ...ev, content: 'changed' };
    recomputed.id = getEventHash(recomputed);
    expectRejected(await verify({ event: recomputed }), 'bad_signature');
    const offCurve = { ...ev, pubkey: 'f'.repeat(64) };
    offCurve.id = getEventHash(offCurve);
    expectRejected(await verify({ event: offCurve }), 'bad_signature');
    // Failed attempts never burn the challenge: the genuine event still works.
    expect((await verify({ event: ev })).status).toBe(200);
  });

  it('rejects the NIP-98 spec example event (vector 3)', async () => {
    const example = {
      id: 'fe964e758903360f28d8424d092da8494ed207cba823110be3a57dfe4b578734',
      pubkey: '63fe6318dc58583cfe16810f86dd09e18bfd76aabc24a0081ce2856f330504ed',
      content: '',
      kind: 27235,
      created_at: 1682327852,
      tags: [['u', 'https://api.snort.social/api/v1/n5sp/list'], ['method', 'GET']],
      sig: '5ed9d8ec958bc854f997bdc24ac337d005af372324747efe4a00e24f4c30437ff4dd8308684bed467d9d6be3e5a517bb43b1732cc7d33949a3aaf86705c22184',
    };
    expectRejected(await verify({ event: example }), 'bad_tags');
  });

  it('rejects other kinds (vector 5)', async () => {
    const sk = generateSecretKey();
    for (const kind of [1, 22242, 24242]) expectRejected(await verify({ event: sign(sk, await challenge(), { kind }) }), 'wrong_kind');
  });

  it('rejects stale and future events (vector 6)', async () => {
    const sk = generateSecretKey();
    expectRejected(await verify({ event: sign(sk, await challenge(), { created_at: nowSec() - 3600 }) }), 'stale');
    expectRejected(await verify({ event: sign(sk, await challenge(), { created_at: nowSec() + 3600 }) }), 'stale');
  });

  it('rejects an expired challenge (vector 7)', async () => {
    const sk = generateSecretKey();
    const ch = await challenge();
    await s.deps.db.updateTable('nostr_challenges').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('challenge', '=', ch).execute();
    expectRejected(await verify({ event: sign(sk, ch) }), 'challenge_invalid');
  });

  it('rejects a reused challenge, with the same event or a new one (vector 8)', async () => {
    const sk = generateSecretKey();
    const ch = await challenge();
    const ev = sign(sk, ch);
    expect((await verify({ event: ev })).status).toBe(200);
    expectRejected(await verify({ event: ev }), 'challenge_invalid');
    expectRejected(await verify({ event: sign(sk, ch, { content: 'again' }) }), 'challenge_invalid');
    expectRejected(await verify({ event: sign(generateSecretKey(), ch) }), 'challenge_invalid');
  });

  it('lets exactly one of two parallel verifies of one event succeed (vector 9)', async () => {
    for (let round = 0; round < 5; round++) {
      const ev = sign(generateSecretKey(), await challenge());
      const results = await Promise.all([verify({ event: ev }), verify({ event: ev }), verify({ event: ev })]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    }
  });

  it('rejects a challenge never issued, and an empty challenge (vector 11)', async () => {
    const sk = generateSecretKey();
    expectRejected(await verify({ event: sign(sk, randomBytes(32).toString('hex')) }), 'challenge_invalid');
    expectRejected(await verify({ event: sign(sk, '') }), 'bad_tags');
  });

  it('rejects missing, valueless and duplicated tags (vectors 12, 13)', async () => {
    const sk = generateSecretKey();
    const ch = await challenge();
    const full = [['u', VERIFY_URL], ['method', 'POST'], ['challenge', ch]];
    for (const name of ['u', 'method', 'challenge']) {
      expectRejected(await verify({ event: sign(sk, ch, { tags: full.filter((t) => t[0] !== name) }) }), 'bad_tags');
      expectRejected(await verify({ event: sign(sk, ch, { tags: [...full.filter((t) => t[0] !== name), [name]] }) }), 'bad_tags');
    }
    expectRejected(await verify({ event: sign(sk, ch, { tags: [...full, ['challenge', randomBytes(32).toString('hex')]] }) }), 'bad_tags');
    expectRejected(await verify({ event: sign(sk, ch, { tags: [['challenge', randomBytes(32).toString('hex')], ...full] }) }), 'bad_tags');
    expectRejected(await verify({ event: sign(sk, ch, { tags: [...full, ['u', VERIFY_URL]] }) }), 'bad_tags');
    expect((await verify({ event: sign(sk, ch) })).status).toBe(200);
  });

  it('rejects another domain, scheme or path in `u` and a wrong method (vector 14)', async () => {
    const sk = generateSecretKey();
    for (const url of ['https://evil.example/api/auth/nostr/verify', 'https://chat.test/api/auth/nostr/verify', `${ORIGIN}/api/auth/nostr/verify2`, LINK_URL]) {
      expectRejected(await verify({ event: sign(sk, await challenge(), { url }) }), 'wrong_url');
    }
    const ch = await challenge();
    expectRejected(await verify({ event: sign(sk, ch, { tags: [['u', VERIFY_URL], ['method', 'GET'], ['challenge', ch]] }) }), 'wrong_method');
  });

  it('rejects oversized events (vector 15)', async () => {
    const sk = generateSecretKey();
    const ch = await challenge();
    const huge = await verify({ event: sign(sk, ch, { content: 'x'.repeat(1_000_000) }) });
    expect(huge.status).toBe(413);
    expectRejected(await verify({ event: sign(sk, ch, { content: 'x'.repeat(20_000) }) }), 'too_large');
    const manyTags = [['u', VERIFY_URL], ['method', 'POST'], ['challenge', ch], ...Array.from({ length: 997 }, () => ['t', 'x'])];
    expectRejected(await verify({ event: sign(sk, ch, { tags: manyTags }) }), 'bad_shape');
    expectRejected(await verify({ event: sign(sk, ch, { content: 'x'.repeat(300) }) }), 'bad_shape');
  });

  it('rejects malformed keys, ids and signatures without a 500 (vectors 16, 17)', async () => {
    const sk = generateSecretKey();
    const ev = sign(sk, await challenge());
    for (const bad of [
      { pubkey: 'g' + ev.pubkey.slice(1) },
      { pubkey: ev.pubkey.slice(1) },
      { pubkey: npubEncode(ev.pubkey) },
      { pubkey: ev.pubkey.toUpperCase() },
      { id: ev.id.toUpperCase() },
      { sig: ev.sig.toUpperCase() },
    ]) {
      expectRejected(await verify({ event: { ...ev, ...bad } }), 'bad_shape');
    }
    expect((await verify({ event: ev })).status).toBe(200);
  });

  it('rejects wrong types, a null event and non-object bodies with 401, never 500 (vector 19)', async () => {
    const ev = sign(generateSecretKey(), await challenge());
    for (const bad of [{ kind: '27235' }, { created_at: 1.5 }, { tags: null }, { content: null }]) {
      expectRejected(await verify({ event: { ...ev, ...bad } }), 'bad_shape');
    }
    expectRejected(await verify({ event: null }), 'bad_shape');
    expectRejected(await verify({}), 'bad_body');
    expectRejected(await verify([ev]), 'bad_body');
    // Malformed JSON and non-object JSON (strict parser) stop at the body parser with 400.
    expect((await s.api('POST', '/api/auth/nostr/verify', { raw: '{"event": ' })).status).toBe(400);
    expect((await s.api('POST', '/api/auth/nostr/verify', { raw: '"x"' })).status).toBe(400);
  });
});
