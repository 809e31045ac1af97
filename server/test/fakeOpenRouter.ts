import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local HTTP server speaking OpenRouter's wire format, for tests (no test reaches the internet).
 *
 *   const fake = await startFakeOpenRouter();          // fake.baseUrl = http://127.0.0.1:PORT/api/v1
 *   fake.enqueue(streamScript({ text: ['Hel', 'lo'] }), httpError(429, 'Slow down'));
 *   fake.handle((req) => streamScript({ text: `you said ${req.body.messages.at(-1).content}` }));
 *   ...
 *   fake.chatRequests[0].body.messages / .headers['http-referer'] / .aborted / .abortedAt
 *
 * `POST /api/v1/chat/completions` answers from the queue first, then the handler, else a 500.
 * `GET /api/v1/models` serves `fake.models` (or fails per `fake.modelsFailure`).
 */

/** One write of a streamed answer. */
export type FakeStep =
  | { chunk: Record<string, unknown> } // `data: <json>`
  | { comment: string } // `: <comment>` (keep-alive)
  | { raw: string } // written verbatim
  | { delayMs: number }; // pause

export interface FakeScript {
  /** Non-200 answers with OpenRouter's error body instead of a stream. */
  status?: number;
  error?: { message: string; code?: number | string; metadata?: Record<string, unknown> };
  headers?: Record<string, string>;
  /** Wait before sending the response headers. */
  headersDelayMs?: number;
  steps?: FakeStep[];
  /** Pause before every step (slow streams for stop tests). */
  chunkDelayMs?: number;
  /** After the steps: `done` writes `data: [DONE]`; `end` closes without it; `drop` destroys the socket; `hang` waits for the client to leave. */
  end?: 'done' | 'end' | 'drop' | 'hang';
}

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (null when empty or not JSON). */
  body: any;
  receivedAt: number;
  /** The client disconnected before the answer was complete. */
  aborted: boolean;
  abortedAt: number | null;
  /** The fake destroyed the connection on purpose (`end: 'drop'`). */
  dropped: boolean;
  /** Settles when the answer is complete or the connection is gone. */
  settled: Promise<void>;
}

export type FakeHandler = (req: FakeRequest) => FakeScript | Promise<FakeScript>;

export interface FakeToolCall {
  id?: string;
  name: string;
  /** Argument JSON text, as pieces streamed one per chunk. */
  args: string | string[];
}

export interface StreamOptions {
  model?: string;
  /** Content pieces, one chunk each. */
  text?: string | string[];
  reasoning?: string[];
  toolCalls?: FakeToolCall[];
  /** Send the argument pieces of parallel calls interleaved by index (default: one call after the other). */
  interleave?: boolean;
  /** Defaults to tool_calls when toolCalls are given, else stop. */
  finishReason?: string;
  /** Usage for the final `choices: []` chunk (`cost: null` leaves cost out); null sends no usage chunk. */
  usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number; cost?: number | null } | null;
  /** Stop after the deltas: no finish chunk and no usage (combine with `end: 'drop'` or `'end'`). */
  omitFinish?: boolean;
  /** Number of `: OPENROUTER PROCESSING` lines before the first chunk (default 1). */
  processing?: number;
  /** Ends with OpenRouter's in-band error chunk (finish_reason "error") instead of a normal finish. */
  midStreamError?: { code: number | string; message: string; errorType?: string };
  chunkDelayMs?: number;
  end?: FakeScript['end'];
}

let genCounter = 0;

/** Builds a streamed answer the way OpenRouter frames it: role chunk, deltas, finish, usage, [DONE]. */
export function streamScript(o: StreamOptions = {}): FakeScript {
  const id = `gen-fake-${++genCounter}`;
  const model = o.model ?? 'openai/gpt-4o-mini';
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, provider: 'FakeProvider' };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): FakeStep => ({
    chunk: { ...base, choices: [{ index: 0, delta, finish_reason: finish, native_finish_reason: finish }] },
  });
  const steps: FakeStep[] = [];
  for (let i = 0; i < (o.processing ?? 1); i++) steps.push({ comment: 'OPENROUTER PROCESSING' });
  steps.push(chunk({ role: 'assistant', content: '' }));
  for (const r of o.reasoning ?? []) steps.push(chunk({ content: '', reasoning: r }));
  for (const t of typeof o.text === 'string' ? [o.text] : (o.text ?? [])) steps.push(chunk({ content: t }));

  const calls = (o.toolCalls ?? []).map((c, index) => ({ ...c, index, pieces: typeof c.args === 'string' ? [c.args] : c.args }));
  const header = (c: (typeof calls)[number]) =>
    chunk({ tool_calls: [{ index: c.index, id: c.id ?? `call_fake_${c.index}`, type: 'function', function: { name: c.name, arguments: '' } }] });
  const piece = (c: (typeof calls)[number], p: string) => chunk({ tool_calls: [{ index: c.index, function: { arguments: p } }] });
  if (o.interleave) {
    for (const c of calls) steps.push(header(c));
    const longest = Math.max(0, ...calls.map((c) => c.pieces.length));
    for (let i = 0; i < longest; i++) for (const c of calls) if (i < c.pieces.length) steps.push(piece(c, c.pieces[i]));
  } else {
    for (const c of calls) {
      steps.push(header(c));
      for (const p of c.pieces) steps.push(piece(c, p));
    }
  }

  if (o.midStreamError) {
    const e = o.midStreamError;
    steps.push({
      chunk: {
        ...base,
        error: { code: e.code, message: e.message, metadata: { error_type: e.errorType ?? 'provider_unavailable' } },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error', native_finish_reason: 'error' }],
      },
    });
    return { steps, chunkDelayMs: o.chunkDelayMs, end: o.end ?? 'end' };
  }
  if (o.omitFinish) return { steps, chunkDelayMs: o.chunkDelayMs, end: o.end ?? 'done' };
  steps.push(chunk({ content: '' }, o.finishReason ?? (calls.length ? 'tool_calls' : 'stop')));
  if (o.usage !== null) {
    const u = o.usage ?? {};
    const prompt = u.prompt_tokens ?? 12;
    const completion = u.completion_tokens ?? 5;
    const usage: Record<string, unknown> = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: u.total_tokens ?? prompt + completion };
    if (u.cost !== null) usage.cost = u.cost ?? 0.00017;
    usage.is_byok = false;
    steps.push({ chunk: { ...base, choices: [], usage } });
  }
  return { steps, chunkDelayMs: o.chunkDelayMs, end: o.end ?? 'done' };
}

/** An HTTP error before the stream, with OpenRouter's body `{error: {code, message, metadata?}}`. */
export function httpError(status: number, message: string, opts: { metadata?: Record<string, unknown>; headers?: Record<string, string> } = {}): FakeScript {
  return { status, error: { code: status, message, metadata: opts.metadata }, headers: opts.headers };
}

/** A model entry shaped like OpenRouter's `/models` data. */
export function fakeModel(id: string, o: { name?: string; images?: boolean; tools?: boolean; context?: number; prompt?: string; completion?: string } = {}) {
  const input = o.images ? ['text', 'image'] : ['text'];
  return {
    id,
    canonical_slug: id,
    name: o.name ?? id,
    created: 1715558400,
    description: `Fake ${id}`,
    context_length: o.context ?? 128000,
    architecture: { modality: `${input.join('+')}->text`, input_modalities: input, output_modalities: ['text'], tokenizer: 'Other', instruct_type: null },
    pricing: { prompt: o.prompt ?? '0.0000025', completion: o.completion ?? '0.00001', request: '0', image: '0' },
    top_provider: { context_length: o.context ?? 128000, max_completion_tokens: 16384, is_moderated: false },
    per_request_limits: null,
    supported_parameters: o.tools === false ? ['max_tokens', 'temperature'] : ['tools', 'tool_choice', 'max_tokens', 'temperature'],
  };
}

export interface FakeOpenRouter {
  /** Base URL to give the SDK / OPENROUTER_BASE_URL. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Only the chat completion calls. */
  readonly chatRequests: FakeRequest[];
  /** How many times `/models` was fetched. */
  readonly modelsRequests: number;
  /** The models list served; edit freely. */
  models: unknown[];
  /** Make `/models` fail: an HTTP status, or `drop` to destroy the connection. */
  modelsFailure: number | 'drop' | null;
  enqueue(...scripts: FakeScript[]): void;
  /** Fallback for chat calls when the queue is empty. */
  handle(handler: FakeHandler | null): void;
  /** Resolves once `n` chat requests have arrived. */
  waitForChatRequests(n: number, timeoutMs?: number): Promise<FakeRequest[]>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the fake on 127.0.0.1, port 0. */
export async function startFakeOpenRouter(): Promise<FakeOpenRouter> {
  const queue: FakeScript[] = [];
  let handler: FakeHandler | null = null;
  const waiters = new Set<() => void>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    let settle!: () => void;
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0],
      headers: req.headers,
      body,
      receivedAt: Date.now(),
      aborted: false,
      abortedAt: null,
      dropped: false,
      settled: new Promise<void>((r) => (settle = r)),
    };
    fake.requests.push(record);
    let gone = false;
    res.on('close', () => {
      gone = true;
      if (!res.writableFinished && !record.dropped) {
        record.aborted = true;
        record.abortedAt = Date.now();
      }
      settle();
    });
    for (const w of waiters) w();

    if (record.method === 'GET' && record.path === '/api/v1/models') {
      if (fake.modelsFailure === 'drop') {
        record.dropped = true;
        req.socket.destroy();
      } else if (fake.modelsFailure) sendError(res, fake.modelsFailure, 'Models unavailable');
      else sendJson(res, 200, { data: fake.models, total_count: fake.models.length, links: { next: null } });
      return;
    }
    if (record.method !== 'POST' || record.path !== '/api/v1/chat/completions') {
      sendError(res, 404, `Not found: ${record.method} ${record.path}`);
      return;
    }
    let script: FakeScript;
    try {
      script = queue.shift() ?? (handler ? await handler(record) : httpError(500, 'fakeOpenRouter: no scripted response'));
    } catch (err) {
      script = httpError(500, `fakeOpenRouter: handler threw: ${(err as Error).message}`);
    }
    if (script.headersDelayMs) await sleep(script.headersDelayMs);
    if (gone) return;
    if (script.status && script.status !== 200) {
      sendError(res, script.status, script.error?.message ?? 'error', script.error, script.headers);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-generation-id': 'gen-fake', ...script.headers });
    res.flushHeaders();
    let flushed: Promise<unknown> = Promise.resolve();
    const write = (data: string) => (flushed = new Promise((r) => res.write(data, r)));
    for (const step of script.steps ?? []) {
      if (script.chunkDelayMs) await sleep(script.chunkDelayMs);
      if (gone) return;
      if ('delayMs' in step) await sleep(step.delayMs);
      else if ('comment' in step) write(`: ${step.comment}\n\n`);
      else if ('raw' in step) write(step.raw);
      else write(`data: ${JSON.stringify(step.chunk)}\n\n`);
    }
    if (gone) return;
    switch (script.end ?? 'done') {
      case 'done':
        res.end('data: [DONE]\n\n');
        break;
      case 'end':
        res.end();
        break;
      case 'drop':
        // Let what was written reach the client first, then cut the connection without a final chunk.
        record.dropped = true;
        await flushed;
        await sleep(10);
        req.socket.destroy();
        break;
      case 'hang':
        break; // the client's disconnect (or stop()) closes it
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeOpenRouter = {
    baseUrl: `http://127.0.0.1:${port}/api/v1`,
    requests: [],
    get chatRequests() {
      return fake.requests.filter((r) => r.path === '/api/v1/chat/completions');
    },
    get modelsRequests() {
      return fake.requests.filter((r) => r.path === '/api/v1/models').length;
    },
    models: [
      fakeModel('openai/gpt-4o-mini', { name: 'OpenAI: GPT-4o-mini', images: true, prompt: '0.00000015', completion: '0.0000006' }),
      fakeModel('anthropic/claude-sonnet-4.5', { name: 'Anthropic: Claude Sonnet 4.5', images: true, context: 1000000, prompt: '0.000003', completion: '0.000015' }),
      fakeModel('meta-llama/llama-3-8b-instruct', { name: 'Meta: Llama 3 8B Instruct', context: 8192, tools: false, prompt: '0', completion: '0' }),
    ],
    modelsFailure: null,
    enqueue: (...scripts) => void queue.push(...scripts),
    handle: (h) => void (handler = h),
    waitForChatRequests(n, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (fake.chatRequests.length < n) return;
          cleanup();
          resolve(fake.chatRequests);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`fakeOpenRouter: expected ${n} chat requests, got ${fake.chatRequests.length}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
  return fake;
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, status: number, message: string, error?: FakeScript['error'], headers?: Record<string, string>): void {
  sendJson(res, status, { error: { code: error?.code ?? status, message, ...(error?.metadata ? { metadata: error.metadata } : {}) } }, headers);
}
