/**
 * The LLM port: the orchestrator's only view of the model provider.
 *
 * A turn is `llm.stream(request, signal)`, an async iterable of normalised {@link LlmEvent}s:
 * - text / reasoning deltas as they arrive (stream them to the room);
 * - `tool_call_delta` fragments keyed by `index` (the first one usually carries `id` and `name`,
 *   later ones only pieces of `arguments`); feed them to a {@link TurnAccumulator};
 * - one `finish` (`stop` | `length` | `tool_calls` | `content_filter` | other provider values);
 * - one `usage` (after `finish`), with the provider's `cost` in USD when it reports one.
 *
 * Ending rules the caller relies on:
 * - Aborted through `signal` (before or during the stream): the iterable simply ends, without a
 *   `finish` event and without throwing. Check `signal.aborted` after the loop.
 * - Any failure throws an {@link LlmError}. `partial: true` means events were already yielded
 *   (keep the partial text and store the reply with finishReason "error").
 *
 * The OpenRouter implementation lives in openRouterLlm.ts; tests use server/test/fakeOpenRouter.ts.
 */
import type {
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
  ChatCompletionToolChoiceOption,
} from 'openai/resources/chat/completions';
import { randomBytes } from 'node:crypto';

/** OpenAI chat-format messages (user content may mix text and `image_url` parts). */
export type LlmMessage = ChatCompletionMessageParam;
/** A function tool in OpenAI format: `{type: 'function', function: {name, description, parameters}}`. */
export type LlmTool = ChatCompletionFunctionTool;
export type LlmToolChoice = ChatCompletionToolChoiceOption;

/** One model call. */
export interface LlmRequest {
  model: string;
  messages: LlmMessage[];
  tools?: LlmTool[];
  /** `'none'` forces a final text answer (e.g. after the last allowed tool round). */
  toolChoice?: LlmToolChoice;
  maxTokens?: number;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  /** USD charged, as reported by the provider; null when it does not say. */
  cost: number | null;
}

/** Normalised stream events, provider-independent. */
export type LlmEvent =
  | { type: 'text'; delta: string }
  | { type: 'reasoning'; delta: string }
  | { type: 'tool_call_delta'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'finish'; reason: 'stop' | 'length' | 'tool_calls' | 'error' | (string & {}) }
  | ({ type: 'usage' } & LlmUsage);

/** The provider behind the assistant. */
export interface LlmPort {
  stream(req: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent>;
}

/**
 * A failed model call, with a message fit to show in the room.
 * Codes: ai_auth_failed, ai_no_credits, ai_forbidden, ai_model_not_found, ai_bad_request, ai_timeout,
 * ai_rate_limited, ai_provider_error, ai_unreachable (all before the stream), ai_stream_error (after).
 */
export class LlmError extends Error {
  readonly code: string;
  /** HTTP status of a pre-stream failure. */
  readonly status?: number;
  /** True when events were already yielded: the caller keeps the partial reply. */
  readonly partial: boolean;
  /** The provider's own error code or type (e.g. OpenRouter's `error.code`), for logs. */
  readonly providerCode?: string | number;
  /** From `Retry-After` on a 429/503, when given. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: string,
    message: string,
    opts: { status?: number; partial?: boolean; providerCode?: string | number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'LlmError';
    this.code = code;
    this.status = opts.status;
    this.partial = opts.partial ?? false;
    this.providerCode = opts.providerCode;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** A tool call assembled from its fragments. `arguments` is the raw JSON text (may be ''). */
export interface AccumulatedToolCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

/** Everything one model call produced. */
export interface TurnResult {
  content: string;
  reasoning: string;
  toolCalls: AccumulatedToolCall[];
  /** null when the stream ended without one (aborted, or failed). */
  finishReason: string | null;
  usage: LlmUsage | null;
  /** Set when the call failed; `content` then holds whatever streamed before the failure. */
  error: LlmError | null;
  /** The signal given to {@link accumulate} was aborted. */
  aborted: boolean;
}

/**
 * Collects a turn's events: text and reasoning concatenated, tool calls merged by `index`
 * (id and name from the first fragment that has them, arguments concatenated), finish, usage.
 */
export class TurnAccumulator {
  content = '';
  reasoning = '';
  finishReason: string | null = null;
  usage: LlmUsage | null = null;
  private readonly calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  private readonly nonce = randomBytes(4).toString('hex');

  push(ev: LlmEvent): void {
    switch (ev.type) {
      case 'text':
        this.content += ev.delta;
        break;
      case 'reasoning':
        this.reasoning += ev.delta;
        break;
      case 'tool_call_delta': {
        let call = this.calls.get(ev.index);
        if (!call) this.calls.set(ev.index, (call = { arguments: '' }));
        // Some providers repeat id/name in later fragments: keep the first, never concatenate.
        if (ev.id && !call.id) call.id = ev.id;
        if (ev.name && !call.name) call.name = ev.name;
        if (ev.argumentsDelta) call.arguments += ev.argumentsDelta;
        break;
      }
      case 'finish':
        this.finishReason = ev.reason;
        break;
      case 'usage':
        this.usage = { promptTokens: ev.promptTokens, completionTokens: ev.completionTokens, totalTokens: ev.totalTokens, cost: ev.cost };
        break;
    }
  }

  /** Tool calls in index order; a call whose provider sent no id gets a stable local one. */
  get toolCalls(): AccumulatedToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, c]) => ({ index, id: c.id ?? `call_${this.nonce}_${index}`, name: c.name ?? '', arguments: c.arguments }));
  }
}

/**
 * Drains a stream into a {@link TurnResult}, calling `onEvent` for each event (e.g. to relay text).
 * An {@link LlmError} is captured in `error` rather than thrown; other errors propagate.
 */
export async function accumulate(
  events: AsyncIterable<LlmEvent>,
  opts: { onEvent?: (ev: LlmEvent) => void; signal?: AbortSignal } = {},
): Promise<TurnResult> {
  const acc = new TurnAccumulator();
  let error: LlmError | null = null;
  try {
    for await (const ev of events) {
      acc.push(ev);
      opts.onEvent?.(ev);
    }
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    error = err;
  }
  return {
    content: acc.content,
    reasoning: acc.reasoning,
    toolCalls: acc.toolCalls,
    finishReason: acc.finishReason,
    usage: acc.usage,
    error,
    aborted: opts.signal?.aborted ?? false,
  };
}
