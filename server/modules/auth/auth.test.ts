import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { startTestServer, type TestServer } from '../../test/testServer.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.stop();
});

describe('password auth', () => {
  it('registers, logs in, reads and updates the profile', async () => {
    const reg = await s.api('POST', '/api/auth/register', { body: { username: 'Alice_1', password: 'password123', displayName: 'Alice' } });
    expect(reg.status).toBe(201);
    expect(reg.body.user).toMatchObject({ username: 'Alice_1', displayName: 'Alice', avatarUrl: null, nostrPubkey: null, npub: null });
    expect(Object.keys(reg.body.user).sort()).toEqual(['avatarUrl', 'createdAt', 'displayName', 'id', 'nostrPubkey', 'npub', 'username']);
    expect(typeof reg.body.token).toBe('string');

    const login = await s.api('POST', '/api/auth/login', { body: { username: 'alice_1', password: 'password123' } });
    expect(login.status).toBe(200);
    expect(login.body.user.id).toBe(reg.body.user.id);

    const me = await s.api('GET', '/api/auth/me', { token: login.body.token });
    expect(me.status).toBe(200);
    expect(me.body.user.username).toBe('Alice_1');

    const upd = await s.api('PATCH', '/api/auth/profile', { token: login.body.token, body: { displayName: 'Alice A.' } });
    expect(upd.status).toBe(200);
    expect(upd.body.user.displayName).toBe('Alice A.');

    const wrong = await s.api('PATCH', '/api/auth/profile', { token: login.body.token, body: { currentPassword: 'nope-nope', newPassword: 'newpassword1' } });
    expect(wrong.status).toBe(401);
    const missing = await s.api('PATCH', '/api/auth/profile', { token: login.body.token, body: { newPassword: 'newpassword1' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^currentPassword/);
    const changed = await s.api('PATCH', '/api/auth/profile', { token: login.body.token, body: { currentPassword: 'password123', newPassword: 'newpassword1' } });
    expect(changed.status).toBe(200);
    expect((await s.api('POST', '/api/auth/login', { body: { username: 'Alice_1', password: 'password123' } })).status).toBe(401);
    expect((await s.api('POST', '/api/auth/login', { body: { username: 'Alice_1', password: 'newpassword1' } })).status).toBe(200);
  });

  it('defaults displayName to the username', async () => {
    const reg = await s.api('POST', '/api/auth/register', { body: { username: 'bob.b', password: 'password123' } });
    expect(reg.body.user.displayName).toBe('bob.b');
  });

  it('refuses a duplicate username in another case with 409', async () => {
    await s.api('POST', '/api/auth/register', { body: { username: 'Carol', password: 'password123' } });
    const dup = await s.api('POST', '/api/auth/register', { body: { username: 'cAROL', password: 'password123' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('username_taken');
  });

  it.each([
    [{ username: 'ab', password: 'password123' }, 'username'],
    [{ username: 'a'.repeat(33), password: 'password123' }, 'username'],
    [{ username: 'bad name', password: 'password123' }, 'username'],
    [{ username: 'gooduser', password: 'short' }, 'password'],
    [{ username: 'gooduser', password: 'x'.repeat(1025) }, 'password'],
    [{ username: 'gooduser', password: 'password123', displayName: '' }, 'displayName'],
    [{ username: 'gooduser', password: 'password123', displayName: 'd'.repeat(65) }, 'displayName'],
    [{ username: 123, password: 'password123' }, 'username'],
    [{ password: 'password123' }, 'username'],
  ])('rejects bad register input %j naming %s', async (body, field) => {
    const res = await s.api('POST', '/api/auth/register', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message.startsWith(field)).toBe(true);
  });

  it('answers malformed JSON and oversized bodies with 400/413, not 500', async () => {
    const bad = await s.api('POST', '/api/auth/login', { raw: '{"username": ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_input');
    const big = await s.api('POST', '/api/auth/login', { raw: JSON.stringify({ username: 'x', password: 'y'.repeat(200_000) }) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const arr = await s.api('POST', '/api/auth/login', { body: [1, 2] });
    expect(arr.status).toBe(400);
  });

  it('answers the same 401 for unknown user and wrong password', async () => {
    await s.register('dave', 'password123');
    const unknown = await s.api('POST', '/api/auth/login', { body: { username: 'nobody-here', password: 'password123' } });
    const wrong = await s.api('POST', '/api/auth/login', { body: { username: 'dave', password: 'password124' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('rejects missing, malformed, tampered, expired and wrongly signed tokens', async () => {
    const { token, user } = await s.register();
    const secret = 'test-secret-test-secret-test-secret-0123';
    const expired = jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) - 10 }, secret, { algorithm: 'HS256' });
    const otherKey = jwt.sign({}, 'another-secret-another-secret-another', { algorithm: 'HS256', subject: user.id, expiresIn: 60 });
    const noExp = jwt.sign({ sub: user.id }, secret, { algorithm: 'HS256' });
    const [h, p, sig] = token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const tampered = [h, Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url'), sig].join('.');
    const none = [Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url'), p, ''].join('.');
    for (const t of [undefined, 'garbage', expired, otherKey, noExp, tampered, none]) {
      const res = await s.api('GET', '/api/auth/me', { token: t });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    expect((await s.api('GET', '/api/auth/me', { headers: { authorization: `Token ${token}` } })).status).toBe(401);
    expect((await s.api('GET', '/api/auth/me', { token })).status).toBe(200);
  });

  it('serves health without auth', async () => {
    const res = await s.api('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', db: 'ok', connectedClients: 0 });
    expect(typeof res.body.version).toBe('string');
    expect(typeof res.body.uptimeSeconds).toBe('number');
  });

  it('answers unknown routes and methods with the error shape', async () => {
    const res = await s.api('GET', '/api/nope');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    const method = await s.api('PUT', '/api/auth/login', { body: {} });
    expect(method.status).toBe(405);
    expect(method.body.error.code).toBe('method_not_allowed');
    expect(method.headers.get('allow')).toContain('POST');
  });
});

describe('auth rate limit', () => {
  it('limits login attempts per IP with 429 and Retry-After', async () => {
    const t = await startTestServer({ AUTH_RATE_LIMIT: '3' });
    try {
      const codes: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i++) {
        const res = await t.api('POST', '/api/auth/login', { body: { username: 'nobody', password: 'whatever1' } });
        codes.push(res.status);
        if (res.status === 429) retryAfter = res.headers.get('retry-after');
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
    } finally {
      await t.stop();
    }
  });
});

describe('API rate limit', () => {
  it('limits authenticated requests per user with 429 and Retry-After, other users unaffected', async () => {
    const t = await startTestServer({ API_RATE_LIMIT: '3' });
    try {
      const [a, b] = [await t.register(), await t.register()];
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await t.api('GET', '/api/rooms', { token: a.token })).status);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const limited = await t.api('GET', '/api/auth/me', { token: a.token });
      expect(limited.body.error.code).toBe('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await t.api('GET', '/api/rooms', { token: b.token })).status).toBe(200);
    } finally {
      await t.stop();
    }
  });
});
