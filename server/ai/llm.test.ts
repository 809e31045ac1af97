import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOpenRouter, streamScript, httpError, type FakeOpenRouter } from '../test/fakeOpenRouter.js';
import { z } from 'zod';
import { accumulate, LlmError, TurnAccumulator, type LlmEvent, type LlmRequest } from './llm.js';
import { parseToolArgs, webSearchArgs } from './tools/types.js';
import { OpenRouterLlm } from './openRouterLlm.js';

const KEY = 'sk-or-v1-test-key-0123456789';
let fake: FakeOpenRouter;
let llm: OpenRouterLlm;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  llm = new OpenRouterLlm({ apiKey: KEY, baseUrl: fake.baseUrl, publicUrl: 'https://chat.example', maxRetries: 0, timeoutMs: 5_000 });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.handle(null);
});

const req = (over: Partial<LlmRequest> = {}): LlmRequest => ({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Alice: hi' }], ...over });

async function collect(it: AsyncIterable<LlmEvent>): Promise<{ events: LlmEvent[]; error: unknown }> {
  const events: LlmEvent[] = [];
  try {
    for await (const ev of it) events.push(ev);
  } catch (error) {
    return { events, error };
  }
  return { events, error: null };
}

describe('OpenRouterLlm streaming', () => {
  it('streams text past comment lines, then finish and the usage-only chunk with cost', async () => {
    fake.enqueue(streamScript({ text: ['Hel', 'lo', ' there'], processing: 3, usage: { prompt_tokens: 10, completion_tokens: 4, cost: 0.00014 } }));
    const { events, error } = await collect(llm.stream(req(), new AbortController().signal));
    expect(error).toBeNull();
    expect(events).toEqual([
      { type: 'text', delta: 'Hel' },
      { type: 'text', delta: 'lo' },
      { type: 'text', delta: ' there' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', promptTokens: 10, completionTokens: 4, totalTokens: 14, cost: 0.00014 },
    ]);
  });

  it('sends the request body and the attribution and auth headers', async () => {
    fake.enqueue(streamScript({ text: 'ok' }));
    const messages: LlmRequest['messages'] = [
      { role: 'system', content: 'You are ai.' },
      { role: 'user', content: [{ type: 'text', text: 'Bob: what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    ];
    const tools = [{ type: 'function' as const, function: { name: 'web_search', description: 'Search', parameters: { type: 'object', properties: { query: { type: 'string' } } } } }];
    await collect(llm.stream(req({ model: 'anthropic/claude-sonnet-4.5', messages, tools, toolChoice: 'auto', maxTokens: 512 }), new AbortController().signal));
    const [r] = fake.chatRequests;
    expect(r.body).toMatchObject({ model: 'anthropic/claude-sonnet-4.5', stream: true, messages, tools, tool_choice: 'auto', max_tokens: 512 });
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.headers['http-referer']).toBe('https://chat.example');
    expect(r.headers['x-title']).toBe('AI group chat');
    expect(r.headers['openai-organization']).toBeUndefined();
  });

  it('omits tools and tool_choice when not given', async () => {
    fake.enqueue(streamScript({ text: 'ok' }));
    await collect(llm.stream(req(), new AbortController().signal));
    expect(fake.chatRequests[0].body).not.toHaveProperty('tools');
    expect(fake.chatRequests[0].body).not.toHaveProperty('tool_choice');
    expect(fake.chatRequests[0].body).not.toHaveProperty('max_tokens');
  });

  it('accumulates two parallel tool calls from interleaved fragments', async () => {
    fake.enqueue(
      streamScript({
        text: ['Let me check.'],
        interleave: true,
        toolCalls: [
          { id: 'call_a', name: 'web_search', args: ['{"que', 'ry":"rust', ' 2026"}'] },
          { id: 'call_b', name: 'fetch_page', args: ['{"url":', '"https://example.com"}'] },
        ],
      }),
    );
    const result = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(result.error).toBeNull();
    expect(result.content).toBe('Let me check.');
    expect(result.finishReason).toBe('tool_calls');
    expect(result.toolCalls).toEqual([
      { index: 0, id: 'call_a', name: 'web_search', arguments: '{"query":"rust 2026"}' },
      { index: 1, id: 'call_b', name: 'fetch_page', arguments: '{"url":"https://example.com"}' },
    ]);
    expect(parseToolArgs(webSearchArgs, result.toolCalls[0].arguments)).toEqual({ query: 'rust 2026' });
    expect(result.usage).toMatchObject({ promptTokens: 12, completionTokens: 5, totalTokens: 17, cost: 0.00017 });
  });

  it('concatenates reasoning fragments (the SDK helper would keep only the last)', async () => {
    fake.enqueue(streamScript({ reasoning: ['The user ', 'greets; ', 'answer briefly.'], text: ['Hi!'] }));
    const result = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(result.reasoning).toBe('The user greets; answer briefly.');
    expect(result.content).toBe('Hi!');
  });

  it('reports a null cost when the usage chunk has none, and no usage when there is no usage chunk', async () => {
    fake.enqueue(streamScript({ text: 'x', usage: { cost: null } }), streamScript({ text: 'y', usage: null }));
    const a = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(a.usage).toEqual({ promptTokens: 12, completionTokens: 5, totalTokens: 17, cost: null });
    const b = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(b).toMatchObject({ content: 'y', finishReason: 'stop', usage: null, error: null });
  });
});

describe('OpenRouterLlm errors', () => {
  const cases: Array<[number, string, RegExp]> = [
    [400, 'ai_bad_request', /rejected the request: This model's maximum context length/],
    [401, 'ai_auth_failed', /^The AI provider rejected the API key$/],
    [402, 'ai_no_credits', /out of credits/],
    [403, 'ai_forbidden', /moderation.*flagged/],
    [404, 'ai_model_not_found', /"openai\/gpt-4o-mini" is not available/],
    [408, 'ai_timeout', /timed out/],
    [429, 'ai_rate_limited', /rate limiting/],
    [500, 'ai_provider_error', /HTTP 500/],
    [502, 'ai_provider_error', /HTTP 502/],
    [504, 'ai_timeout', /timed out/],
  ];
  it.each(cases)('maps HTTP %i before the stream to %s', async (status, code, message) => {
    const text = status === 400 ? "This model's maximum context length is 8192 tokens" : status === 403 ? 'Input was flagged' : 'nope';
    fake.enqueue(httpError(status, text, { headers: status === 429 ? { 'retry-after': '7' } : {} }));
    const { events, error } = await collect(llm.stream(req(), new AbortController().signal));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(LlmError);
    const e = error as LlmError;
    expect(e).toMatchObject({ code, status, partial: false });
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain(KEY);
    if (status === 429) expect(e.retryAfterSeconds).toBe(7);
  });

  it('maps an unreachable provider to ai_unreachable', async () => {
    const down = new OpenRouterLlm({ apiKey: KEY, baseUrl: 'http://127.0.0.1:1/api/v1', publicUrl: 'https://chat.example', maxRetries: 0 });
    const { error } = await collect(down.stream(req(), new AbortController().signal));
    expect(error).toMatchObject({ code: 'ai_unreachable', partial: false });
  });

  it('maps a header timeout to ai_timeout', async () => {
    const slow = new OpenRouterLlm({ apiKey: KEY, baseUrl: fake.baseUrl, publicUrl: 'https://chat.example', maxRetries: 0, timeoutMs: 150 });
    fake.enqueue({ ...streamScript({ text: 'late' }), headersDelayMs: 1_000 });
    const { error } = await collect(slow.stream(req(), new AbortController().signal));
    expect(error).toMatchObject({ code: 'ai_timeout' });
  });

  it('retries a 429 before the stream when configured to', async () => {
    const retrying = new OpenRouterLlm({ apiKey: KEY, baseUrl: fake.baseUrl, publicUrl: 'https://chat.example', maxRetries: 1 });
    fake.enqueue(httpError(429, 'Slow down', { headers: { 'retry-after': '0' } }), streamScript({ text: 'second time lucky' }));
    const result = await accumulate(retrying.stream(req(), new AbortController().signal));
    expect(result.error).toBeNull();
    expect(result.content).toBe('second time lucky');
    expect(fake.chatRequests).toHaveLength(2);
  });

  it('keeps the partial text when the provider fails mid-stream (in-band error chunk)', async () => {
    fake.enqueue(streamScript({ text: ['Partial ', 'answer'], midStreamError: { code: 502, message: 'Provider disconnected', errorType: 'provider_unavailable' } }));
    const { events, error } = await collect(llm.stream(req(), new AbortController().signal));
    expect(events).toEqual([
      { type: 'text', delta: 'Partial ' },
      { type: 'text', delta: 'answer' },
    ]);
    expect(error).toBeInstanceOf(LlmError);
    expect(error).toMatchObject({ code: 'ai_stream_error', partial: true, providerCode: 'provider_unavailable' });
    expect((error as LlmError).message).toMatch(/Provider disconnected/);

    fake.enqueue(streamScript({ text: ['So far'], midStreamError: { code: 'server_error', message: 'Upstream overloaded' } }));
    const result = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(result.content).toBe('So far');
    expect(result.finishReason).toBeNull();
    expect(result.error).toMatchObject({ code: 'ai_stream_error', partial: true });
  });

  it('reports an abrupt connection drop mid-stream as ai_stream_error with the partial text', async () => {
    fake.enqueue(streamScript({ text: ['Half a'], omitFinish: true, end: 'drop' }));
    const result = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(result.content).toBe('Half a');
    expect(result.error).toMatchObject({ code: 'ai_stream_error', partial: true });
  });

  it('treats a stream that closes without a finish reason as an error', async () => {
    fake.enqueue(streamScript({ text: ['cut'], omitFinish: true, end: 'end' }));
    const result = await accumulate(llm.stream(req(), new AbortController().signal));
    expect(result.content).toBe('cut');
    expect(result.error).toMatchObject({ code: 'ai_stream_error', partial: true });
  });
});

describe('OpenRouterLlm cancelling', () => {
  it('ends promptly and silently when aborted mid-stream, and the provider sees the disconnect', async () => {
    fake.enqueue(streamScript({ text: Array.from({ length: 200 }, (_, i) => `w${i} `), chunkDelayMs: 20 }));
    const ac = new AbortController();
    const events: LlmEvent[] = [];
    let abortedAt = 0;
    const t0 = Date.now();
    for await (const ev of llm.stream(req(), ac.signal)) {
      events.push(ev);
      if (events.length === 3) {
        abortedAt = Date.now();
        ac.abort();
      }
    }
    const endedAt = Date.now();
    expect(endedAt - abortedAt).toBeLessThan(500);
    expect(endedAt - t0).toBeLessThan(2_000);
    expect(events.every((e) => e.type === 'text')).toBe(true);
    expect(events.length).toBeLessThanOrEqual(4);
    const [r] = fake.chatRequests;
    await r.settled;
    expect(r.aborted).toBe(true);
    expect(r.abortedAt! - abortedAt).toBeLessThan(500);
  });

  it('ends silently when aborted before the response headers arrive', async () => {
    fake.enqueue({ ...streamScript({ text: 'never' }), headersDelayMs: 2_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    const result = await accumulate(llm.stream(req(), ac.signal), { signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(result).toMatchObject({ content: '', error: null, finishReason: null, aborted: true });
    const [r] = await fake.waitForChatRequests(1);
    await r.settled;
    expect(r.aborted).toBe(true);
  });

  it('does not call the provider with an already aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await collect(llm.stream(req(), ac.signal))).events).toEqual([]);
    expect(fake.chatRequests).toHaveLength(0);
  });

  it('aborts the HTTP request when the consumer breaks out of the loop', async () => {
    fake.enqueue(streamScript({ text: Array.from({ length: 100 }, () => 'x'), chunkDelayMs: 10 }));
    for await (const ev of llm.stream(req(), new AbortController().signal)) {
      if (ev.type === 'text') break;
    }
    const [r] = fake.chatRequests;
    await r.settled;
    expect(r.aborted).toBe(true);
  });
});

describe('TurnAccumulator', () => {
  it('keeps the first id and name, tolerates repeats and missing ids', () => {
    const acc = new TurnAccumulator();
    acc.push({ type: 'tool_call_delta', index: 1, name: 'fetch_page', argumentsDelta: '' });
    acc.push({ type: 'tool_call_delta', index: 0, id: 'call_x', name: 'web_search' });
    acc.push({ type: 'tool_call_delta', index: 0, id: 'call_x', name: 'web_search', argumentsDelta: '{"q":' });
    acc.push({ type: 'tool_call_delta', index: 0, argumentsDelta: '1}' });
    acc.push({ type: 'finish', reason: 'tool_calls' });
    const calls = acc.toolCalls;
    expect(calls[0]).toEqual({ index: 0, id: 'call_x', name: 'web_search', arguments: '{"q":1}' });
    expect(calls[1]).toMatchObject({ index: 1, name: 'fetch_page', arguments: '' });
    expect(calls[1].id).toMatch(/^call_/);
    expect(acc.toolCalls[1].id).toBe(calls[1].id);
    expect(parseToolArgs(z.object({}), calls[1].arguments)).toEqual({});
    expect(() => parseToolArgs(z.object({}), '[1]')).toThrow();
    expect(() => parseToolArgs(z.object({}), '{"a":')).toThrow(/not valid JSON/);
    expect(acc.finishReason).toBe('tool_calls');
  });
});
