import { describe, expect, it } from 'vitest';
import { finalizeEvent, generateSecretKey, getEventHash, getPublicKey, verifyEvent } from 'nostr-tools/pure';
import { readProfileEvent, sanitizeName, sanitizePicture } from './nostrProfile.js';
import { checkAuthEvent, parseEvent, verifySignature } from './nostrVerify.js';

const URL_ = 'https://chat.example/api/auth/nostr/verify';
const NOW = 1_800_000_000;
const CHALLENGE = 'ab'.repeat(32);
const expectation = { url: URL_, method: 'POST', nowSeconds: NOW, maxSkewSeconds: 600 };

/** A signed event as it would arrive from the network (JSON round trip drops nostr-tools' cache flag). */
function signed(sk: Uint8Array, over: { kind?: number; tags?: string[][]; created_at?: number; content?: string } = {}): any {
  const ev = finalizeEvent(
    {
      kind: over.kind ?? 27235,
      created_at: over.created_at ?? NOW,
      content: over.content ?? '',
      tags: over.tags ?? [['u', URL_], ['method', 'POST'], ['challenge', CHALLENGE]],
    },
    sk,
  );
  return JSON.parse(JSON.stringify(ev));
}

/** The NIP-98 spec example: signed while its first tag was still named `url` (notes/nostr.md §1.4). */
const nip98Example = {
  id: 'fe964e758903360f28d8424d092da8494ed207cba823110be3a57dfe4b578734',
  pubkey: '63fe6318dc58583cfe16810f86dd09e18bfd76aabc24a0081ce2856f330504ed',
  content: '',
  kind: 27235,
  created_at: 1682327852,
  tags: [
    ['u', 'https://api.snort.social/api/v1/n5sp/list'],
    ['method', 'GET'],
  ],
  sig: '5ed9d8ec958bc854f997bdc24ac337d005af372324747efe4a00e24f4c30437ff4dd8308684bed467d9d6be3e5a517bb43b1732cc7d33949a3aaf86705c22184',
};

describe('verifySignature', () => {
  const sk = generateSecretKey();

  it('accepts a genuine event and rejects a flipped signature character', () => {
    const ev = signed(sk);
    expect(verifySignature(ev)).toBe(true);
    const flipped = { ...ev, sig: (ev.sig[0] === '0' ? '1' : '0') + ev.sig.slice(1) };
    expect(verifySignature(flipped)).toBe(false);
  });

  it('ignores the verified flag nostr-tools caches on a finalized object', () => {
    const ev = finalizeEvent({ kind: 27235, created_at: NOW, content: '', tags: [] }, sk);
    ev.content = 'tampered after signing';
    expect(verifyEvent(ev)).toBe(true); // the library trusts its cached flag
    expect(verifySignature(ev)).toBe(false); // a fresh 7-field copy is really checked
  });

  it('rejects the NIP-98 example as written (id mismatch) but accepts it with its original `url` tag', () => {
    expect(verifySignature(nip98Example)).toBe(false);
    const original = { ...nip98Example, tags: [['url', nip98Example.tags[0][1]], nip98Example.tags[1]] };
    expect(verifySignature(original)).toBe(true);
  });

  it('rejects changed content with the id recomputed (the signature no longer matches)', () => {
    const ev = signed(sk);
    ev.content = 'x';
    ev.id = getEventHash(ev);
    expect(verifySignature(ev)).toBe(false);
  });
});

describe('parseEvent (strict shape)', () => {
  const ev = signed(generateSecretKey());

  it('keeps only the 7 fields', () => {
    const res = parseEvent({ ...ev, extra: 'x', verified: true });
    expect(res.ok && Object.keys(res.event).sort()).toEqual(['content', 'created_at', 'id', 'kind', 'pubkey', 'sig', 'tags']);
  });

  it.each([
    ['null', null],
    ['an array', [ev]],
    ['a string', JSON.stringify(ev)],
    ['non-hex pubkey', { ...ev, pubkey: 'g' + ev.pubkey.slice(1) }],
    ['63-char pubkey', { ...ev, pubkey: ev.pubkey.slice(1) }],
    ['npub as pubkey', { ...ev, pubkey: 'npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg' }],
    ['uppercase pubkey', { ...ev, pubkey: ev.pubkey.toUpperCase() }],
    ['uppercase id', { ...ev, id: ev.id.toUpperCase() }],
    ['uppercase sig', { ...ev, sig: ev.sig.toUpperCase() }],
    ['kind as string', { ...ev, kind: '27235' }],
    ['kind out of range', { ...ev, kind: 70000 }],
    ['fractional created_at', { ...ev, created_at: 1.5 }],
    ['unsafe created_at', { ...ev, created_at: 2 ** 60 }],
    ['tags null', { ...ev, tags: null }],
    ['tags of numbers', { ...ev, tags: [['u', 1]] }],
    ['an empty tag', { ...ev, tags: [[]] }],
    ['a tag of 4 items', { ...ev, tags: [['u', 'a', 'b', 'c']] }],
    ['11 tags', { ...ev, tags: Array.from({ length: 11 }, () => ['t', 'x']) }],
    ['a 513-char tag value', { ...ev, tags: [['t', 'x'.repeat(513)]] }],
    ['257-char content', { ...ev, content: 'x'.repeat(257) }],
    ['missing sig', { ...ev, sig: undefined }],
  ])('rejects %s as bad_shape', (_name, input) => {
    expect(parseEvent(input)).toEqual({ ok: false, reason: 'bad_shape' });
  });

  it('rejects an event whose JSON exceeds 16 KB before looking at its shape', () => {
    expect(parseEvent({ ...ev, content: 'x'.repeat(17_000) })).toEqual({ ok: false, reason: 'too_large' });
    expect(parseEvent({ ...ev, tags: Array.from({ length: 1000 }, () => ['t', 'xxxxxxxxxxxxxxxx']) })).toEqual({ ok: false, reason: 'too_large' });
  });
});

describe('checkAuthEvent', () => {
  const sk = generateSecretKey();
  const base = [['u', URL_], ['method', 'POST'], ['challenge', CHALLENGE]];
  const without = (name: string) => base.filter((t) => t[0] !== name);

  it('accepts a correct event and returns its challenge', () => {
    const res = checkAuthEvent(signed(sk), expectation);
    expect(res.ok && res.challenge).toBe(CHALLENGE);
    expect(res.ok && res.event.pubkey).toBe(getPublicKey(sk));
  });

  it('accepts extra unrelated tags and the edges of the time window', () => {
    expect(checkAuthEvent(signed(sk, { tags: [...base, ['payload', 'ab']] }), expectation).ok).toBe(true);
    expect(checkAuthEvent(signed(sk, { created_at: NOW - 600 }), expectation).ok).toBe(true);
    expect(checkAuthEvent(signed(sk, { created_at: NOW + 600 }), expectation).ok).toBe(true);
  });

  it.each([
    ['kind 1', { kind: 1 }, 'wrong_kind'],
    ['kind 22242 without relay tag', { kind: 22242 }, 'wrong_kind'],
    ['kind 24242 (Blossom)', { kind: 24242 }, 'wrong_kind'],
    ['missing u', { tags: without('u') }, 'bad_tags'],
    ['missing method', { tags: without('method') }, 'bad_tags'],
    ['missing challenge', { tags: without('challenge') }, 'bad_tags'],
    ['valueless method tag', { tags: [...without('method'), ['method']] }, 'bad_tags'],
    ['empty challenge', { tags: [...without('challenge'), ['challenge', '']] }, 'bad_tags'],
    ['two challenge tags', { tags: [...base, ['challenge', 'cd'.repeat(32)]] }, 'bad_tags'],
    ['two u tags', { tags: [...base, ['u', URL_]] }, 'bad_tags'],
    ['another domain', { tags: [['u', 'https://evil.example/api/auth/nostr/verify'], ...without('u')] }, 'wrong_url'],
    ['http instead of https', { tags: [['u', URL_.replace('https:', 'http:')], ...without('u')] }, 'wrong_url'],
    ['another path', { tags: [['u', 'https://chat.example/api/auth/nostr/link'], ...without('u')] }, 'wrong_url'],
    ['trailing slash', { tags: [['u', URL_ + '/'], ...without('u')] }, 'wrong_url'],
    ['method GET', { tags: [...without('method'), ['method', 'GET']] }, 'wrong_method'],
    ['stale by an hour', { created_at: NOW - 3600 }, 'stale'],
    ['an hour in the future', { created_at: NOW + 3600 }, 'stale'],
    ['non-hex challenge', { tags: [...without('challenge'), ['challenge', 'z'.repeat(64)]] }, 'bad_challenge'],
  ])('rejects %s', (_name, over, reason) => {
    expect(checkAuthEvent(signed(sk, over as never), expectation)).toEqual({ ok: false, reason });
  });

  it('rejects a bad signature, an id mismatch and an off-curve pubkey', () => {
    const ev = signed(sk);
    expect(checkAuthEvent({ ...ev, sig: ev.sig.slice(0, 5) + (ev.sig[5] === 'a' ? 'b' : 'a') + ev.sig.slice(6) }, expectation)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkAuthEvent({ ...ev, content: 'changed' }, expectation)).toEqual({ ok: false, reason: 'bad_signature' });
    const offCurve = { ...ev, pubkey: 'f'.repeat(64) };
    offCurve.id = getEventHash(offCurve);
    expect(checkAuthEvent(offCurve, expectation)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('kind-0 profile', () => {
  const sk = generateSecretKey();
  const pk = getPublicKey(sk);
  const profile = (content: unknown, over: { kind?: number; created_at?: number; key?: Uint8Array } = {}) =>
    JSON.parse(
      JSON.stringify(
        finalizeEvent({ kind: over.kind ?? 0, created_at: over.created_at ?? NOW - 86400, tags: [], content: typeof content === 'string' ? content : JSON.stringify(content) }, over.key ?? sk),
      ),
    );

  it('takes display_name (else name) and an https picture', () => {
    expect(readProfileEvent(profile({ name: 'al', display_name: 'Alice', picture: 'https://img.example/a.png', about: 'x' }), pk, NOW)).toEqual({
      ok: true,
      profile: { displayName: 'Alice', picture: 'https://img.example/a.png' },
    });
    expect(readProfileEvent(profile({ name: 'al' }), pk, NOW)).toEqual({ ok: true, profile: { displayName: 'al' } });
  });

  it.each([
    ['another key', profile({ name: 'x' }, { key: generateSecretKey() }), 'wrong_pubkey'],
    ['kind 1', profile({ name: 'x' }, { kind: 1 }), 'wrong_kind'],
    ['future created_at', profile({ name: 'x' }, { created_at: NOW + 3600 }), 'future'],
    ['non-JSON content', profile('not json'), 'bad_content'],
    ['JSON array content', profile([1, 2]), 'bad_content'],
    ['content over 8 KB', profile({ about: 'x'.repeat(9000) }), 'bad_event'],
    ['a tampered event', { ...profile({ name: 'x' }), content: '{"name":"y"}' }, 'bad_signature'],
    ['not an event', 'hello', 'bad_event'],
  ])('refuses %s', (_name, input, reason) => {
    expect(readProfileEvent(input, pk, NOW)).toEqual({ ok: false, reason });
  });

  it('sanitizes names: control characters stripped, 64 characters at most, never half a surrogate pair', () => {
    expect(sanitizeName('  Al\u0000i\u001bce\u007f\u0085 ')).toBe('Alice');
    expect(sanitizeName('x'.repeat(100))).toBe('x'.repeat(64));
    expect(sanitizeName('x'.repeat(63) + '😀')).toBe('x'.repeat(63));
    expect(sanitizeName('\u0001\u0002')).toBeUndefined();
    expect(sanitizeName(42)).toBeUndefined();
  });

  it('keeps only absolute https picture URLs up to 2048 characters', () => {
    expect(sanitizePicture('https://img.example/a.png?x=1')).toBe('https://img.example/a.png?x=1');
    for (const bad of [
      'http://img.example/a.png',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      '/relative.png',
      'https://user:pw@img.example/a.png',
      'https://img.example/a b.png',
      'https://img.example/' + 'a'.repeat(2048),
      42,
    ]) {
      expect(sanitizePicture(bad)).toBeUndefined();
    }
  });
});
