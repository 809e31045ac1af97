import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { WebSocket } from 'ws';
import { startTestServer, type TestServer } from '../test/testServer.js';
import { connectWs, type WsTestClient } from '../test/wsClient.js';

const SECRET = 'test-secret-test-secret-test-secret-0123';

let s: TestServer;
const open: WsTestClient[] = [];
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await s.stop();
});

async function connect(token: string, opts?: { autoPong?: boolean }, server = s): Promise<WsTestClient> {
  const c = await connectWs(server.url, token, opts);
  open.push(c);
  return c;
}

async function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => reject(new Error('upgrade was accepted')));
    ws.on('error', () => {});
  });
}

async function waitFor(check: () => boolean | Promise<boolean>, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('upgrade authentication', () => {
  it('refuses a missing, bad, expired or orphaned token with 401 before any WebSocket exists', async () => {
    const { user } = await s.register();
    const ws = s.url.replace('http', 'ws');
    expect(await refusedStatus(`${ws}/ws`)).toBe(401);
    expect(await refusedStatus(`${ws}/ws?token=not-a-jwt`)).toBe(401);
    const wrongKey = jwt.sign({}, 'another-secret-another-secret-0000', { subject: user.id, expiresIn: 600 });
    expect(await refusedStatus(`${ws}/ws?token=${wrongKey}`)).toBe(401);
    const expired = jwt.sign({ sub: user.id, exp: Math.floor(Date.now() / 1000) - 60 }, SECRET);
    expect(await refusedStatus(`${ws}/ws?token=${expired}`)).toBe(401);
    const orphan = jwt.sign({}, SECRET, { subject: 'no-such-user', expiresIn: 600 });
    expect(await refusedStatus(`${ws}/ws?token=${orphan}`)).toBe(401);
    await expect(connectWs(s.url, null)).rejects.toMatchObject({ status: 401 });
    expect(s.deps.realtime.hub.size).toBe(0);
  });

  it('only upgrades /ws', async () => {
    const { token } = await s.register();
    expect(await refusedStatus(`${s.url.replace('http', 'ws')}/other?token=${token}`)).toBe(404);
  });

  it('accepts a valid token and counts the socket in /api/health', async () => {
    const { token } = await s.register();
    const a = await connect(token);
    const b = await connect(token);
    expect((await s.api('GET', '/api/health')).body.connectedClients).toBe(2);
    await a.close();
    await waitFor(async () => (await s.api('GET', '/api/health')).body.connectedClients === 1);
    await b.close();
    await waitFor(() => s.deps.realtime.hub.size === 0);
  });
});

describe('frame hygiene', () => {
  it('answers ping with pong', async () => {
    const c = await connect((await s.register()).token);
    expect(await c.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    expect(c.binaryFrames).toBe(0);
  });

  it('answers invalid frames with invalid_input and keeps the connection', async () => {
    const c = await connect((await s.register()).token);
    c.sendRaw('not json');
    expect(await c.next('error')).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/JSON/) });
    c.sendRaw('[1,2]');
    expect((await c.next('error')).code).toBe('invalid_input');
    c.send({ type: 'shout' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/^type:/) });
    c.send({ type: 'join_room' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_input', requestType: 'join_room', message: expect.stringMatching(/^roomId:/) });
    c.send({ type: 'typing', roomId: 'r', isTyping: 'yes' });
    expect(await c.next('error')).toMatchObject({ requestType: 'typing', message: expect.stringMatching(/^isTyping:/) });
    c.send({ type: 'send_message', roomId: 'r', content: '   ', clientId: 'c-1' });
    expect(await c.next('error')).toMatchObject({ code: 'invalid_input', requestType: 'send_message', clientId: 'c-1', message: expect.stringMatching(/^content:/) });
    c.sendRaw(Buffer.from('{"type":"ping"}'));
    expect(await c.next('error')).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/text/) });
    expect(await c.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes an oversize frame with 1009 while the server and other sockets carry on', async () => {
    const { token } = await s.register();
    const big = await connect(token);
    const other = await connect(token);
    big.sendRaw(JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * 1024) }));
    expect((await big.closed).code).toBe(1009);
    expect(await other.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    const fresh = await connect(token);
    expect(await fresh.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
    // 60 KiB is under the limit and merely invalid.
    other.sendRaw(JSON.stringify({ type: 'shout', pad: 'x'.repeat(60 * 1024) }));
    expect((await other.next('error')).code).toBe('invalid_input');
  });

  it('rejects send_message and typing past the per-user rate with rate_limited', async () => {
    const limited = await startTestServer({ API_RATE_LIMIT: '3' });
    try {
      const { token } = await limited.register();
      const c = await connect(token, undefined, limited);
      for (let i = 1; i <= 4; i++) c.send({ type: 'send_message', roomId: 'nope', content: `m${i}`, clientId: `c${i}` });
      expect(await c.next('error', (f) => f.clientId === 'c4')).toMatchObject({ code: 'rate_limited', requestType: 'send_message' });
      for (let i = 1; i <= 3; i++) expect(await c.next('error', (f) => f.clientId === `c${i}`)).toMatchObject({ code: 'not_found' });
      for (let i = 1; i <= 4; i++) c.send({ type: 'typing', roomId: 'nope', isTyping: true });
      expect(await c.next('error', (f) => f.code === 'rate_limited')).toMatchObject({ requestType: 'typing' });
      expect(c.all('error').filter((f) => f.requestType === 'typing').map((f) => f.code)).toEqual(['not_found', 'not_found', 'not_found', 'rate_limited']);
    } finally {
      await limited.stop();
    }
  });
});

describe('heartbeat and shutdown', () => {
  it('terminates a peer that stops answering pings and keeps live ones', async () => {
    const { token } = await s.register();
    const dead = await connect(token, { autoPong: false });
    const live = await connect(token);
    const gw = s.deps.realtime.gateway;
    gw.heartbeat();
    // Two round trips: the second ping leaves after the automatic pong, so the server has seen it.
    await live.request({ type: 'ping' }, 'pong');
    await live.request({ type: 'ping' }, 'pong');
    gw.heartbeat();
    expect((await dead.closed).code).toBe(1006);
    expect(await live.request({ type: 'ping' }, 'pong')).toEqual({ type: 'pong' });
  });

  it('closes sockets with 1001 on shutdown', async () => {
    const other = await startTestServer();
    const c = await connectWs(other.url, (await other.register()).token);
    const stopping = other.stop();
    expect((await c.closed).code).toBe(1001);
    await stopping;
  });
});
