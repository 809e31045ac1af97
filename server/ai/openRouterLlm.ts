import type OpenAI from 'openai';
import type { APIError } from 'openai';

type Sdk = typeof import('openai');
let sdkLoading: Promise<Sdk> | null = null;
/** The SDK loads with the first reply, not at server start (it is a sizeable import). */
const loadSdk = (): Promise<Sdk> => (sdkLoading ??= import('openai'));
import type { Config } from '../config.js';
import { LlmError, type LlmEvent, type LlmPort, type LlmRequest } from './llm.js';

/** Display name sent to OpenRouter for app attribution. */
export const APP_TITLE = 'AI group chat';

export interface OpenRouterLlmOptions {
  apiKey: string;
  /** e.g. https://openrouter.ai/api/v1 (or a local fake in tests). */
  baseUrl: string;
  /** Sent as HTTP-Referer: OpenRouter's app identifier. */
  publicUrl: string;
  /** Retries of connection errors, 408/409/429/5xx before the stream starts (never after). Default 1. */
  maxRetries?: number;
  /** How long to wait for the response headers, in ms. Default 60 s. */
  timeoutMs?: number;
}

/**
 * {@link LlmPort} over the official `openai` SDK pointed at OpenRouter.
 * Handles OpenRouter's quirks: the usage-only final chunk (`choices: []`), `delta.reasoning`,
 * the in-band error chunk after HTTP 200, and the silent end of an aborted stream.
 */
export class OpenRouterLlm implements LlmPort {
  private client: OpenAI | null = null;
  private readonly apiKey: string;

  constructor(private readonly opts: OpenRouterLlmOptions) {
    this.apiKey = opts.apiKey;
  }

  private createClient(sdk: Sdk): OpenAI {
    const opts = this.opts;
    return new sdk.default({
      apiKey: opts.apiKey,
      baseURL: opts.baseUrl,
      // Explicit nulls so OPENAI_* variables in the environment never leak into OpenRouter calls.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      defaultHeaders: { 'HTTP-Referer': opts.publicUrl, 'X-Title': APP_TITLE, 'X-OpenRouter-Title': APP_TITLE },
      maxRetries: opts.maxRetries ?? 1,
      timeout: opts.timeoutMs ?? 60_000,
      // The SDK's own logger could print request details; failures surface as LlmError instead.
      logLevel: 'off',
    });
  }

  async *stream(req: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    if (signal.aborted) return;
    const body: OpenAI.Chat.ChatCompletionCreateParamsStreaming = { model: req.model, messages: req.messages, stream: true };
    if (req.tools?.length) body.tools = req.tools;
    if (req.toolChoice !== undefined) body.tool_choice = req.toolChoice;
    if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;

    const sdk = await loadSdk();
    this.client ??= this.createClient(sdk);
    let stream: AsyncIterable<OpenAI.Chat.ChatCompletionChunk>;
    try {
      stream = await this.client.chat.completions.create(body, { signal });
    } catch (err) {
      if (signal.aborted || err instanceof sdk.APIUserAbortError) return;
      throw this.toLlmError(sdk, err, false, req.model);
    }

    let yielded = false;
    let finished = false;
    try {
      for await (const chunk of stream) {
        for (const ev of chunkEvents(chunk)) {
          if (ev.type === 'finish') finished = true;
          yielded = true;
          yield ev;
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      throw this.toLlmError(sdk, err, yielded, req.model);
    }
    // An abort during iteration ends the SDK's loop silently.
    if (signal.aborted) return;
    if (!finished) {
      throw new LlmError('ai_stream_error', 'The AI provider ended the reply before it was finished', { partial: yielded });
    }
  }

  /** Maps SDK and network failures to room-visible errors; never includes the API key. */
  private toLlmError(sdk: Sdk, err: unknown, started: boolean, model: string): LlmError {
    if (err instanceof LlmError) return err;
    const scrub = (s: string): string => (this.apiKey ? s.split(this.apiKey).join('[redacted]') : s).slice(0, 300);
    if (err instanceof sdk.APIConnectionTimeoutError) {
      return new LlmError('ai_timeout', 'The AI provider did not answer in time', { cause: err });
    }
    if (err instanceof sdk.APIConnectionError) {
      return new LlmError('ai_unreachable', 'Could not reach the AI provider', { cause: err });
    }
    if (err instanceof sdk.APIError && typeof err.status === 'number') {
      const detail = scrub(providerMessage(err));
      const opts = { status: err.status, providerCode: err.code ?? undefined, retryAfterSeconds: retryAfter(err.headers), cause: err };
      const withDetail = (msg: string) => (detail ? `${msg}: ${detail}` : msg);
      switch (err.status) {
        case 400:
        case 413:
        case 422:
          return new LlmError('ai_bad_request', withDetail('The AI provider rejected the request'), opts);
        case 401:
          return new LlmError('ai_auth_failed', 'The AI provider rejected the API key', opts);
        case 402:
          return new LlmError('ai_no_credits', 'The AI provider account is out of credits', opts);
        case 403:
          return new LlmError('ai_forbidden', withDetail('The AI provider refused the request (moderation or permissions)'), opts);
        case 404:
          return new LlmError('ai_model_not_found', `The AI model "${model}" is not available`, opts);
        case 408:
        case 504:
          return new LlmError('ai_timeout', 'The AI provider timed out', opts);
        case 429:
          return new LlmError('ai_rate_limited', 'The AI provider is rate limiting requests, try again shortly', opts);
        default:
          return new LlmError('ai_provider_error', `The AI provider failed (HTTP ${err.status})`, opts);
      }
    }
    if (err instanceof sdk.APIError) {
      // OpenRouter's in-band error after HTTP 200: status undefined, `error` holds {code, message, metadata}.
      const e = (err.error ?? {}) as { code?: unknown; message?: unknown; metadata?: { error_type?: unknown } };
      const type = typeof e.metadata?.error_type === 'string' ? e.metadata.error_type : undefined;
      const code = type ?? (typeof e.code === 'string' || typeof e.code === 'number' ? e.code : undefined);
      const msg = scrub(typeof e.message === 'string' ? e.message : err.message);
      return new LlmError('ai_stream_error', `The AI provider failed mid-reply: ${msg}`, { partial: started, providerCode: code, cause: err });
    }
    if (started || err instanceof SyntaxError) {
      return new LlmError('ai_stream_error', 'The connection to the AI provider was lost mid-reply', { partial: started, cause: err });
    }
    return new LlmError('ai_provider_error', 'The AI provider call failed', { cause: err });
  }
}

/** Builds the port from configuration; null when no API key is set (assistant disabled). */
export function createLlm(config: Config): LlmPort | null {
  if (!config.openrouterApiKey) return null;
  return new OpenRouterLlm({ apiKey: config.openrouterApiKey, baseUrl: config.openrouterBaseUrl, publicUrl: config.publicUrl });
}

interface OpenRouterDelta {
  content?: string | null;
  reasoning?: string | null;
  reasoning_content?: string | null;
  tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
}

/** Normalises one chunk; tolerates `choices: []` (the usage chunk) and missing fields. */
export function chunkEvents(chunk: OpenAI.Chat.ChatCompletionChunk): LlmEvent[] {
  const out: LlmEvent[] = [];
  const choice = chunk.choices?.[0];
  if (choice) {
    const d = (choice.delta ?? {}) as OpenRouterDelta;
    const reasoning = d.reasoning ?? d.reasoning_content;
    if (typeof reasoning === 'string' && reasoning) out.push({ type: 'reasoning', delta: reasoning });
    if (typeof d.content === 'string' && d.content) out.push({ type: 'text', delta: d.content });
    for (const tc of d.tool_calls ?? []) {
      const ev: Extract<LlmEvent, { type: 'tool_call_delta' }> = { type: 'tool_call_delta', index: tc.index ?? 0 };
      if (tc.id) ev.id = tc.id;
      if (tc.function?.name) ev.name = tc.function.name;
      if (tc.function?.arguments) ev.argumentsDelta = tc.function.arguments;
      out.push(ev);
    }
    if (choice.finish_reason) out.push({ type: 'finish', reason: choice.finish_reason });
  }
  const u = chunk.usage as (OpenAI.CompletionUsage & { cost?: unknown }) | null | undefined;
  if (u) {
    out.push({
      type: 'usage',
      promptTokens: u.prompt_tokens ?? 0,
      completionTokens: u.completion_tokens ?? 0,
      totalTokens: u.total_tokens ?? (u.prompt_tokens ?? 0) + (u.completion_tokens ?? 0),
      cost: typeof u.cost === 'number' && Number.isFinite(u.cost) ? u.cost : null,
    });
  }
  return out;
}

function providerMessage(err: APIError): string {
  const e = err.error as { message?: unknown } | undefined;
  return typeof e?.message === 'string' ? e.message : '';
}

function retryAfter(headers: Headers | undefined): number | undefined {
  const v = headers?.get('retry-after');
  const n = v ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
