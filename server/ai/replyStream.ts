import type { Db } from '../db/schema.js';
import type { EventBus } from '../events.js';
import { newId, nowIso } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { AiMeta, MessageView } from '../modules/messages/presenter.js';
import type { MessagesService } from '../modules/messages/service.js';
import type { AiStreamSnapshot, ServerFrame } from '../realtime/frames.js';
import { LlmError, accumulate, type LlmMessage, type LlmPort, type LlmTool, type LlmUsage } from './llm.js';
import { deleteStream, flushStream, insertStream } from './streamRepo.js';
import { runTool, type ToolPorts } from './toolRunner.js';
import type { Trigger } from './triggers.js';

type AiToolFrame = Extract<ServerFrame, { type: 'ai_tool' }>;

export interface ReplyDeps {
  db: Db;
  bus: EventBus;
  messages: MessagesService;
  llm: LlmPort;
  tools: ToolPorts;
  logger: Logger;
  /** Tool rounds before the model must answer without tools. */
  maxToolRounds: number;
  /** Whole-reply budget; past it the reply ends with an error. */
  timeoutMs: number;
  flushMs: number;
}

export interface ReplyRequest {
  roomId: string;
  model: string;
  trigger: Trigger;
  requestedBy: string | null;
  replyTo: string | null;
  messages: LlmMessage[];
  tools: LlmTool[];
  contextMessages: number;
}

/**
 * One assistant reply: streams the model's text to the room as ai_chunk frames, runs tool rounds
 * (ai_tool frames), flushes the partial text to SQLite about every second, and ends with exactly
 * one ai_stream_end followed by the stored reply as a normal `message`.
 */
export class ReplyStream {
  readonly streamId = newId();
  readonly controller = new AbortController();
  stoppedBy: string | null = null;
  private content = '';
  private index = 0;
  private readonly toolFrames = new Map<string, AiToolFrame>();
  private readonly toolCalls: AiMeta['toolCalls'] = [];
  private readonly sources: AiMeta['sources'] = [];
  private usage: LlmUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: null };
  private readonly started = Date.now();
  private dirty = false;

  constructor(private readonly deps: ReplyDeps, readonly req: ReplyRequest) {}

  /** The text so far, for sockets joining mid-stream (room_joined.aiStreams). */
  snapshot(): AiStreamSnapshot {
    return { streamId: this.streamId, content: this.content, index: this.index, tools: [...this.toolFrames.values()], requestedBy: this.req.requestedBy };
  }

  /** Stops the reply on behalf of a member; the partial text is stored with finishReason "stopped". */
  stop(userId: string | null): void {
    if (this.controller.signal.aborted) return;
    this.stoppedBy = userId;
    this.controller.abort();
  }

  async run(): Promise<void> {
    const { roomId } = this.req;
    const now = nowIso();
    this.emit({ type: 'ai_typing', roomId, streamId: this.streamId, model: this.req.model, requestedBy: this.req.requestedBy });
    await insertStream(this.deps.db, {
      stream_id: this.streamId, room_id: roomId, model: this.req.model, trigger: this.req.trigger, requested_by: this.req.requestedBy,
      content: '', meta: this.metaJson(), started_at: now, updated_at: now,
    });
    const flusher = setInterval(() => void this.flush(), this.deps.flushMs);
    flusher.unref();
    const timeout = setTimeout(() => this.controller.abort(new Error('timeout')), this.deps.timeoutMs);
    timeout.unref();
    let error: LlmError | null = null;
    let finish: string | null = null;
    try {
      ({ error, finish } = await this.converse());
    } catch (err) {
      this.deps.logger.error({ err, roomId, streamId: this.streamId }, 'assistant reply failed');
      error = new LlmError('ai_error', 'The assistant failed unexpectedly', { partial: this.content.length > 0 });
    } finally {
      clearInterval(flusher);
      clearTimeout(timeout);
    }
    const signal = this.controller.signal;
    if (signal.aborted && !error && this.stoppedBy === null && signal.reason instanceof Error && signal.reason.message === 'timeout') {
      error = new LlmError('ai_timeout', 'The assistant took too long and was cut off', { partial: this.content.length > 0 });
    }
    await this.finishReply(error, finish);
  }

  /** Model rounds with tools until the model answers, fails, is stopped or runs out of rounds. */
  private async converse(): Promise<{ error: LlmError | null; finish: string | null }> {
    const messages = [...this.req.messages];
    const signal = this.controller.signal;
    for (let round = 0; ; round++) {
      const lastRound = round >= this.deps.maxToolRounds;
      const tools = lastRound ? [] : this.req.tools;
      const turn = await accumulate(
        this.deps.llm.stream({ model: this.req.model, messages, ...(tools.length ? { tools } : {}) }, signal),
        {
          signal,
          onEvent: (ev) => {
            if (ev.type === 'text' && ev.delta) this.appendText(ev.delta);
          },
        },
      );
      if (turn.usage) this.addUsage(turn.usage);
      if (turn.error) return { error: turn.error, finish: null };
      if (turn.aborted || signal.aborted) return { error: null, finish: null };
      const calls = turn.toolCalls.filter((c) => c.name);
      if (calls.length === 0 || lastRound) return { error: null, finish: turn.finishReason };
      messages.push({
        role: 'assistant',
        content: turn.content || null,
        tool_calls: calls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments || '{}' } })),
      });
      for (const call of calls) {
        if (signal.aborted) return { error: null, finish: null };
        messages.push({ role: 'tool', tool_call_id: call.id, content: await this.callTool(call.id, call.name, call.arguments) });
      }
    }
  }

  private async callTool(callId: string, name: string, rawArgs: string): Promise<string> {
    const { roomId } = this.req;
    let input: unknown = rawArgs;
    try {
      input = rawArgs.trim() ? JSON.parse(rawArgs) : {};
    } catch {
      /* shown raw */
    }
    this.emitTool({ type: 'ai_tool', roomId, streamId: this.streamId, callId, name, status: 'started', input });
    const out = await runTool(this.deps.tools, name, rawArgs, this.controller.signal);
    this.toolCalls.push({ name, input: out.input, status: out.status, summary: out.summary });
    for (const s of out.sources) if (!this.sources.some((x) => x.url === s.url)) this.sources.push(s);
    this.emitTool({ type: 'ai_tool', roomId, streamId: this.streamId, callId, name, status: out.status, input: out.input, summary: out.summary, sources: out.sources });
    this.dirty = true;
    return out.result;
  }

  private async finishReply(error: LlmError | null, finish: string | null): Promise<void> {
    const { roomId } = this.req;
    const stopped = this.stoppedBy !== null || (this.controller.signal.aborted && !error);
    const content = this.content.trim();
    const endFrame = (message: MessageView | null, err: { code: string; message: string } | null) =>
      this.emit({ type: 'ai_stream_end', roomId, streamId: this.streamId, message, error: err });
    if (!content) {
      await deleteStream(this.deps.db, this.streamId).catch(() => {});
      const err = error
        ? { code: error.code, message: error.message }
        : stopped
          ? { code: 'ai_stopped', message: 'The reply was stopped before it began' }
          : { code: 'ai_empty_reply', message: 'The assistant returned an empty reply' };
      endFrame(null, err);
      return;
    }
    const ai: AiMeta = {
      streamId: this.streamId,
      model: this.req.model,
      trigger: this.req.trigger,
      requestedBy: this.req.requestedBy,
      finishReason: error ? 'error' : stopped ? 'stopped' : finish === 'length' ? 'length' : 'stop',
      error: error ? error.message : null,
      stoppedBy: stopped ? this.stoppedBy : null,
      usage: this.usage,
      toolCalls: this.toolCalls,
      sources: this.sources,
      contextMessages: this.req.contextMessages,
      durationMs: Date.now() - this.started,
    };
    try {
      await this.deps.messages.storeAssistantReply(roomId, { content, ai, replyTo: this.req.replyTo }, {
        inTx: (trx) => deleteStream(trx, this.streamId),
        beforePublish: (message) => endFrame(message, error ? { code: error.code, message: error.message } : null),
      });
    } catch (err) {
      // The room was deleted meanwhile (or the DB failed): still close the stream for viewers.
      this.deps.logger.warn({ err, roomId, streamId: this.streamId }, 'could not store the assistant reply');
      endFrame(null, { code: 'ai_store_failed', message: 'The reply could not be saved' });
    }
  }

  private appendText(delta: string): void {
    this.content += delta;
    this.index += 1;
    this.dirty = true;
    this.emit({ type: 'ai_chunk', roomId: this.req.roomId, streamId: this.streamId, index: this.index, delta });
  }

  private addUsage(u: LlmUsage): void {
    this.usage = {
      promptTokens: this.usage.promptTokens + u.promptTokens,
      completionTokens: this.usage.completionTokens + u.completionTokens,
      totalTokens: this.usage.totalTokens + u.totalTokens,
      cost: u.cost === null ? this.usage.cost : (this.usage.cost ?? 0) + u.cost,
    };
  }

  private async flush(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      await flushStream(this.deps.db, this.streamId, this.content, this.metaJson(), nowIso());
    } catch (err) {
      this.deps.logger.warn({ err, streamId: this.streamId }, 'could not flush the partial reply');
    }
  }

  private metaJson(): string {
    return JSON.stringify({ toolCalls: this.toolCalls, sources: this.sources, contextMessages: this.req.contextMessages, replyTo: this.req.replyTo });
  }

  private emitTool(frame: AiToolFrame): void {
    this.toolFrames.set(frame.callId, frame);
    this.emit(frame);
  }

  private emit(frame: ServerFrame): void {
    this.deps.bus.emit('roomFrame', { roomId: this.req.roomId, frame, audience: 'joined' });
  }
}
