import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addMember, buildRoom, postMessage } from '../test/factories.js';
import { httpError, startFakeOpenRouter, streamScript, type FakeOpenRouter } from '../test/fakeOpenRouter.js';
import { startTestServer, type TestServer } from '../test/testServer.js';
import { connectWs, type Frame, type WsTestClient } from '../test/wsClient.js';

let fake: FakeOpenRouter;
let s: TestServer;
let pages: http.Server;
let pageUrl: string;
let alice: { token: string; user: any };
let bob: { token: string; user: any };
const sockets: WsTestClient[] = [];

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  pages = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<html><head><title>Page ${req.url}</title></head><body><p>Facts about ${req.url}</p></body></html>`);
  });
  await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
  pageUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  s = await startTestServer({ OPENROUTER_API_KEY: 'sk-test-key', OPENROUTER_BASE_URL: fake.baseUrl, AI_MODEL: 'test/text-model', FETCH_ALLOW_PRIVATE: 'true' });
  [alice, bob] = await Promise.all([s.register(), s.register()]);
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((c) => c.close()));
  fake.handle(null);
});
afterAll(async () => {
  await s.stop();
  await fake.stop();
  pages.close();
});

async function joined(token: string, roomId: string): Promise<WsTestClient> {
  const c = await connectWs(s.url, token);
  sockets.push(c);
  await c.request({ type: 'join_room', roomId }, 'room_joined');
  return c;
}

async function sharedRoom(settings: Record<string, unknown> = {}): Promise<any> {
  const room = await buildRoom(s, alice.token, { settings });
  await addMember(s, alice.token, room.id, bob.token);
  return room;
}

const streamOf = (c: WsTestClient, streamId: string) => c.frames.filter((f) => f.streamId === streamId);

describe('assistant replies', () => {
  it('streams a mention reply identically to every joined socket, then stores it', async () => {
    const room = await sharedRoom();
    const [a, b] = [await joined(alice.token, room.id), await joined(bob.token, room.id)];
    fake.enqueue(streamScript({ text: ['Hello', ' there', ', Alice!'], usage: { prompt_tokens: 30, completion_tokens: 4, cost: 0.0002 } }));
    const human = await postMessage(s, alice.token, room.id, 'Hi @AI, how are you?');
    const endA = await a.next('ai_stream_end', undefined, 5000);
    const endB = await b.next('ai_stream_end', undefined, 5000);
    expect(endA).toEqual(endB);
    expect(endA.error).toBeNull();
    const reply = endA.message;
    expect(reply).toMatchObject({ role: 'assistant', author: null, content: 'Hello there, Alice!', replyTo: human.id, roomId: room.id });
    expect(reply.ai).toMatchObject({
      model: 'test/text-model', trigger: 'mention', requestedBy: alice.user.id, finishReason: 'stop', error: null, stoppedBy: null,
      usage: { promptTokens: 30, completionTokens: 4, totalTokens: 34, cost: 0.0002 }, toolCalls: [], sources: [], contextMessages: 1,
    });
    const seqA = streamOf(a, endA.streamId).map((f) => [f.type, f.index ?? null, f.delta ?? null]);
    expect(seqA).toEqual([
      ['ai_typing', null, null], ['ai_chunk', 1, 'Hello'], ['ai_chunk', 2, ' there'], ['ai_chunk', 3, ', Alice!'], ['ai_stream_end', null, null],
    ]);
    expect(streamOf(b, endA.streamId).map((f) => f.type)).toEqual(seqA.map((x) => x[0]));
    // The stored reply also arrives as a normal message frame, after ai_stream_end.
    const msg = await a.next('message', (f) => f.message.id === reply.id);
    expect(a.frames.indexOf(msg)).toBeGreaterThan(a.frames.indexOf(endA));
    const hist = await s.api('GET', `/api/rooms/${room.id}/messages`, { token: bob.token });
    expect(hist.body.messages.at(-1)).toMatchObject({ id: reply.id, content: 'Hello there, Alice!' });
    // What the provider received: system prompt + the named human turn, attribution headers.
    const req = fake.chatRequests.at(-1)!;
    expect(req.headers.authorization).toBe('Bearer sk-test-key');
    expect(req.headers['http-referer']).toBe('http://chat.test');
    expect(req.body.stream).toBe(true);
    expect(req.body.messages[0].role).toBe('system');
    expect(req.body.messages[0].content).toContain(room.name);
    expect(req.body.messages.at(-1)).toEqual({ role: 'user', content: `${alice.user.displayName}: Hi @AI, how are you?` });
  });

  it('answers replies to the assistant, every message in always mode, and never when off or unmentioned', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.handle(() => streamScript({ text: 'ok' }));
    const before = fake.chatRequests.length;
    await postMessage(s, alice.token, room.id, 'no mention here, email bob@ai.com or @aid');
    await postMessage(s, alice.token, room.id, '@ai first');
    const first = await a.next('ai_stream_end');
    await postMessage(s, bob.token, room.id, 'following up', { replyTo: first.message.id });
    const second = await a.next('ai_stream_end');
    expect(second.message.ai).toMatchObject({ trigger: 'reply', requestedBy: bob.user.id });
    expect(fake.chatRequests.length - before).toBe(2);

    await s.api('PATCH', `/api/rooms/${room.id}`, { token: alice.token, body: { settings: { aiMode: 'always' } } });
    await postMessage(s, bob.token, room.id, 'anything');
    expect((await a.next('ai_stream_end')).message.ai.trigger).toBe('always');

    await s.api('PATCH', `/api/rooms/${room.id}`, { token: alice.token, body: { settings: { aiMode: 'off' } } });
    const count = fake.chatRequests.length;
    await postMessage(s, bob.token, room.id, '@ai are you there?');
    await new Promise((r) => setTimeout(r, 150));
    expect(fake.chatRequests.length).toBe(count);
  });

  it('coalesces triggers that arrive while a reply streams into one next turn', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.enqueue(streamScript({ text: ['one', ' two', ' three'], chunkDelayMs: 60 }), streamScript({ text: 'both answered' }));
    const before = fake.chatRequests.length;
    await postMessage(s, alice.token, room.id, '@ai first question');
    await a.next('ai_chunk');
    await postMessage(s, bob.token, room.id, '@ai second question');
    await postMessage(s, alice.token, room.id, '@ai third question');
    await a.next('ai_stream_end');
    const second = await a.next('ai_stream_end', undefined, 5000);
    expect(second.message.content).toBe('both answered');
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.chatRequests.length - before).toBe(2);
    const ctx = fake.chatRequests.at(-1)!.body.messages.map((m: any) => m.content);
    expect(ctx.join('\n')).toContain('second question');
    expect(ctx.join('\n')).toContain('third question');
    expect(a.all('ai_typing')).toHaveLength(2);
  });

  it('never streams two replies at once in a room, even for triggers arriving together', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.handle(() => streamScript({ text: ['x', 'y', 'z'], chunkDelayMs: 30 }));
    await Promise.all([postMessage(s, alice.token, room.id, '@ai one'), postMessage(s, bob.token, room.id, '@ai two'), postMessage(s, alice.token, room.id, '@ai three')]);
    await a.next('ai_stream_end', undefined, 5000);
    await a.next('ai_stream_end', undefined, 5000);
    await new Promise((r) => setTimeout(r, 150));
    const order = a.frames.filter((f) => f.type === 'ai_typing' || f.type === 'ai_stream_end').map((f) => f.type);
    expect(order).toEqual(['ai_typing', 'ai_stream_end', 'ai_typing', 'ai_stream_end']);
  });

  it('gives a socket joining mid-stream the text so far, then only later chunks', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.enqueue(streamScript({ text: ['A', 'B', 'C', 'D', 'E', 'F'], chunkDelayMs: 50 }));
    await postMessage(s, alice.token, room.id, '@ai go');
    await a.next('ai_chunk', (f) => f.index === 2);
    const late = await connectWs(s.url, bob.token);
    sockets.push(late);
    const rj = await late.request({ type: 'join_room', roomId: room.id }, 'room_joined');
    expect(rj.aiStreams).toHaveLength(1);
    const snap = rj.aiStreams[0];
    expect(snap.requestedBy).toBe(alice.user.id);
    const end = await late.next('ai_stream_end', undefined, 5000);
    const later = late.all('ai_chunk').filter((f) => f.streamId === snap.streamId && f.index > snap.index);
    expect(snap.content + later.map((f) => f.delta).join('')).toBe('ABCDEF');
    expect(end.message.content).toBe('ABCDEF');
  });

  it('stops on stop_ai from any member: upstream aborted, partial text stored as stopped', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    const b = await joined(bob.token, room.id);
    fake.enqueue(streamScript({ text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 40 }));
    await postMessage(s, alice.token, room.id, '@ai write a long essay');
    await a.next('ai_chunk', (f) => f.index === 3);
    const upstream = fake.chatRequests.at(-1)!;
    const stopAt = Date.now();
    b.send({ type: 'stop_ai', roomId: room.id });
    const end = await a.next('ai_stream_end', undefined, 5000);
    expect(end.message.ai).toMatchObject({ finishReason: 'stopped', stoppedBy: bob.user.id });
    expect(end.message.content.startsWith('w0 w1 w2')).toBe(true);
    await upstream.settled;
    expect(upstream.aborted).toBe(true);
    expect(upstream.abortedAt! - stopAt).toBeLessThan(500);
    expect(a.all('ai_stream_end').filter((f) => f.streamId === end.streamId)).toHaveLength(1);
  });

  it('flushes the partial text to the database about every second while streaming', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.enqueue(streamScript({ text: Array.from({ length: 30 }, (_, i) => `t${i} `), chunkDelayMs: 50 }));
    await postMessage(s, alice.token, room.id, '@ai take your time');
    await a.next('ai_chunk', (f) => f.index === 26, 5000);
    const row = s.deps.sqlite.prepare('SELECT content FROM ai_streams WHERE room_id = ?').get(room.id) as { content: string } | undefined;
    expect(row?.content.startsWith('t0 t1 t2')).toBe(true);
    await a.next('ai_stream_end', undefined, 5000);
    expect(s.deps.sqlite.prepare('SELECT count(*) AS n FROM ai_streams WHERE room_id = ?').get(room.id)).toEqual({ n: 0 });
  });

  it('ends with message null and the error when the provider fails before any text', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.enqueue(httpError(402, 'Insufficient credits'));
    await postMessage(s, alice.token, room.id, '@ai hello');
    const end = await a.next('ai_stream_end');
    expect(end.message).toBeNull();
    expect(end.error.code).toBe('ai_no_credits');
    expect(typeof end.error.message).toBe('string');
  });

  it('keeps the partial text with finishReason error on a mid-stream failure', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    fake.enqueue(streamScript({ text: ['Partial ', 'answer'], midStreamError: { code: 502, message: 'Provider disconnected' } }));
    await postMessage(s, alice.token, room.id, '@ai hello');
    const end = await a.next('ai_stream_end');
    expect(end.error.code).toBe('ai_stream_error');
    expect(end.message).toMatchObject({ content: 'Partial answer', ai: { finishReason: 'error' } });
    expect(end.message.ai.error).toBeTruthy();
  });

  it('runs fetch_page tool rounds with ai_tool frames, then answers without tools after the limit', async () => {
    const room = await sharedRoom();
    const a = await joined(alice.token, room.id);
    let n = 0;
    fake.handle((req) => {
      n++;
      if (!req.body.tools) return streamScript({ text: 'Final answer from what I read.' });
      return streamScript({ toolCalls: [{ name: 'fetch_page', args: ['{"url":', JSON.stringify(`${pageUrl}/p${n}`), '}'] }] });
    });
    const before = fake.chatRequests.length;
    await postMessage(s, alice.token, room.id, '@ai research this');
    const end = await a.next('ai_stream_end', undefined, 8000);
    const calls = fake.chatRequests.slice(before);
    expect(calls).toHaveLength(5);
    expect(calls.slice(0, 4).every((c) => c.body.tools?.some((t: any) => t.function.name === 'fetch_page'))).toBe(true);
    expect(calls[4].body.tools).toBeUndefined();
    const toolMsg = calls[1].body.messages.find((m: any) => m.role === 'tool');
    expect(toolMsg.content).toContain('Facts about /p1');
    const tools = a.all('ai_tool').filter((f: Frame) => f.streamId === end.streamId);
    expect(tools.map((f) => f.status)).toEqual(['started', 'finished', 'started', 'finished', 'started', 'finished', 'started', 'finished']);
    expect(tools[1]).toMatchObject({ name: 'fetch_page', input: { url: `${pageUrl}/p1` }, sources: [{ title: 'Page /p1', url: `${pageUrl}/p1` }] });
    expect(end.message.ai.toolCalls).toHaveLength(4);
    expect(end.message.ai.sources.map((x: any) => x.url)).toEqual([1, 2, 3, 4].map((i) => `${pageUrl}/p${i}`));
    expect(end.message.content).toBe('Final answer from what I read.');
  });

  it('offers no web tools when the room turns web access off', async () => {
    const room = await sharedRoom({ webSearch: false });
    const a = await joined(alice.token, room.id);
    fake.enqueue(streamScript({ text: 'no tools' }));
    await postMessage(s, alice.token, room.id, '@ai hi');
    await a.next('ai_stream_end');
    expect(fake.chatRequests.at(-1)!.body.tools).toBeUndefined();
  });
});

describe('assistant without a provider, and crash recovery', () => {
  it('ends every trigger with ai_unavailable when no provider is configured', async () => {
    const t = await startTestServer();
    try {
      const u = await t.register();
      const room = await buildRoom(t, u.token);
      const c = await connectWs(t.url, u.token);
      await c.request({ type: 'join_room', roomId: room.id }, 'room_joined');
      await postMessage(t, u.token, room.id, '@ai hello?');
      const typing = await c.next('ai_typing');
      const end = await c.next('ai_stream_end');
      expect(end).toMatchObject({ streamId: typing.streamId, message: null, error: { code: 'ai_unavailable' } });
      await c.close();
    } finally {
      await t.stop();
    }
  });

  it('stores replies left streaming by a crash as finishReason error on the next start', async () => {
    const t = await startTestServer({}, {});
    const dir = t.dir;
    const u = await t.register();
    const room = await buildRoom(t, u.token);
    const now = new Date().toISOString();
    t.deps.sqlite
      .prepare('INSERT INTO ai_streams (stream_id, room_id, model, trigger, requested_by, content, meta, started_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)')
      .run('crashed-stream', room.id, 'test/model', 'mention', u.user.id, 'Half an ans', JSON.stringify({ contextMessages: 3 }), now, now);
    await t.close();
    const again = await startTestServer({}, { dir });
    try {
      const hist = await again.api('GET', `/api/rooms/${room.id}/messages`, { token: u.token });
      expect(hist.body.messages.at(-1)).toMatchObject({ role: 'assistant', content: 'Half an ans', ai: { streamId: 'crashed-stream', finishReason: 'error', contextMessages: 3 } });
      expect(again.deps.sqlite.prepare('SELECT count(*) AS n FROM ai_streams').get()).toEqual({ n: 0 });
    } finally {
      await again.stop();
    }
  });
});

describe('images and web search', () => {
  it('sends images to image models only, and runs web_search through the configured provider', async () => {
    const { startFakeSearch } = await import('../test/fakeSearch.js');
    const { makePng } = await import('../modules/uploads/testImages.js');
    const search = await startFakeSearch();
    const t = await startTestServer({
      OPENROUTER_API_KEY: 'sk-test-key', OPENROUTER_BASE_URL: fake.baseUrl, AI_MODEL: 'test/text-model',
      SEARCH_PROVIDER: 'tavily', TAVILY_API_KEY: search.tavilyKey, TAVILY_BASE_URL: search.baseUrl,
    });
    const savedModels = fake.models;
    fake.models = [
      (await import('../test/fakeOpenRouter.js')).fakeModel('test/vision-model', { images: true }),
      (await import('../test/fakeOpenRouter.js')).fakeModel('test/text-model', { images: false }),
    ];
    try {
      const u = await t.register();
      const room = await buildRoom(t, u.token);
      const c = await connectWs(t.url, u.token);
      await c.request({ type: 'join_room', roomId: room.id }, 'room_joined');
      const { uploadImage } = await import('../modules/uploads/testSupport.js');
      const up = await uploadImage(t, u.token, makePng(3, 2));
      expect(up.status).toBe(201);
      const upload = up.body.upload;

      // Text model: the image is mentioned in words, not sent.
      fake.enqueue(streamScript({ text: 'I cannot see images.' }));
      await postMessage(t, u.token, room.id, '@ai what is this?', { attachments: [upload.id] });
      await c.next('ai_stream_end');
      const textReq = fake.chatRequests.at(-1)!;
      expect(JSON.stringify(textReq.body.messages)).not.toContain('data:image/png;base64');
      expect(textReq.body.messages.at(-1).content).toContain('image(s) attached');

      // Vision model: the same history now carries the image as a data: URL.
      await t.api('PATCH', `/api/rooms/${room.id}`, { token: u.token, body: { settings: { model: 'test/vision-model' } } });
      fake.enqueue(streamScript({ text: 'A tiny picture.' }));
      await postMessage(t, u.token, room.id, '@ai and now?');
      await c.next('ai_stream_end');
      const visionReq = fake.chatRequests.at(-1)!;
      expect(visionReq.body.model).toBe('test/vision-model');
      const withImage = visionReq.body.messages.find((m: any) => Array.isArray(m.content));
      expect(withImage.content[1].image_url.url.startsWith('data:image/png;base64,')).toBe(true);

      // Web search: the tool is offered, called through Tavily, and its sources kept.
      fake.handle((req) => {
        const last = req.body.messages.at(-1);
        if (last.role === 'tool') return streamScript({ text: 'Here is what I found.' });
        return streamScript({ toolCalls: [{ name: 'web_search', args: ['{"query": "chat ', 'servers", "max_results": 2}'] }] });
      });
      await postMessage(t, u.token, room.id, '@ai search the web');
      const end = await c.next('ai_stream_end', (f) => f.message?.content === 'Here is what I found.', 5000);
      expect(fake.chatRequests.at(-2)!.body.tools.map((x: any) => x.function.name).sort()).toEqual(['fetch_page', 'web_search']);
      expect(search.requests.at(-1)!.body.query).toBe('chat servers');
      expect(end.message.ai.toolCalls).toEqual([{ name: 'web_search', input: { query: 'chat servers', max_results: 2 }, status: 'finished', summary: expect.stringContaining('chat servers') }]);
      expect(end.message.ai.sources).toHaveLength(2);
      const finished = c.all('ai_tool').find((f) => f.status === 'finished');
      expect(finished!.sources).toHaveLength(2);
      await c.close();
    } finally {
      fake.models = savedModels;
      fake.handle(null);
      await t.stop();
      await search.close();
    }
  });
});
