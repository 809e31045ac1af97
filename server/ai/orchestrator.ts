import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import type { EventBus } from '../events.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { AiMeta, MessageView } from '../modules/messages/presenter.js';
import type { MessagesService } from '../modules/messages/service.js';
import type { RoomsService } from '../modules/rooms/service.js';
import type { AiStreamSnapshot } from '../realtime/frames.js';
import type { AiStreamsPort } from '../realtime/hub.js';
import { buildContext } from './context.js';
import type { LlmPort } from './llm.js';
import type { ModelCatalog } from './models.js';
import { ReplyStream } from './replyStream.js';
import { deleteStream, listStreams } from './streamRepo.js';
import { toolsFor, type ToolPorts } from './toolRunner.js';
import { detectTrigger, mentionPattern, type Trigger } from './triggers.js';

export interface OrchestratorDeps {
  config: Pick<Config, 'aiModel' | 'aiName' | 'uploadDir'>;
  db: Db;
  bus: EventBus;
  logger: Logger;
  rooms: RoomsService;
  messages: MessagesService;
  llm: LlmPort | null;
  models: ModelCatalog;
  tools: ToolPorts;
  maxToolRounds?: number;
  timeoutMs?: number;
  flushMs?: number;
  historyMessages?: number;
}

interface PendingTrigger {
  trigger: Trigger;
  requestedBy: string | null;
  messageId: string;
}

/** A room's turn in progress (preparing or streaming); present in the map only while one runs. */
interface RoomState {
  active: ReplyStream | null;
  /** Triggers that arrived while a reply streamed: answered together in one next turn. */
  queued: PendingTrigger[];
}

/**
 * Decides when the assistant answers and runs at most one reply per room. Subscribes to stored
 * messages (never to its own replies), coalesces triggers that arrive mid-stream into one next
 * turn, serves mid-stream snapshots and stop requests to the realtime hub, and closes replies left
 * unfinished by a crash at start-up.
 */
export class AiOrchestrator implements AiStreamsPort {
  private readonly roomStates = new Map<string, RoomState>();
  /** Each room's aiMode, kept current by room_updated frames: no room read per message. */
  private readonly aiModes = new Map<string, 'mention' | 'always' | 'off'>();
  private readonly mention: RegExp;
  private readonly running = new Set<Promise<void>>();
  private unsubscribe: Array<() => void> = [];
  private closed = false;

  constructor(private readonly deps: OrchestratorDeps) {
    this.mention = mentionPattern(deps.config.aiName);
  }

  /** Subscribes to the bus; call once at start-up after recover(). */
  start(): void {
    this.unsubscribe.push(
      this.deps.bus.on('messageCreated', ({ roomId, message }) => this.track(this.onMessage(roomId, message))),
      this.deps.bus.on('roomFrame', ({ roomId, frame }) => {
        if (frame.type === 'room_updated') this.aiModes.set(roomId, frame.room.settings.aiMode);
        if (frame.type === 'room_deleted') {
          this.aiModes.delete(roomId);
          this.roomStates.get(roomId)?.active?.stop(null);
        }
      }),
    );
  }

  /** Stores replies a crash left in flight as replies with finishReason "error". */
  async recover(): Promise<number> {
    const rows = await listStreams(this.deps.db);
    for (const row of rows) {
      const meta = safeJson(row.meta) as Partial<AiMeta> & { replyTo?: string | null };
      if (row.content.trim() && (await this.deps.rooms.findRoom(row.room_id))) {
        const ai: AiMeta = {
          streamId: row.stream_id, model: row.model, trigger: row.trigger, requestedBy: row.requested_by,
          finishReason: 'error', error: 'The server restarted while this reply was streaming', stoppedBy: null,
          usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0, cost: null },
          toolCalls: meta.toolCalls ?? [], sources: meta.sources ?? [], contextMessages: meta.contextMessages ?? 0,
          durationMs: Math.max(0, Date.parse(row.updated_at) - Date.parse(row.started_at)),
        };
        await this.deps.messages.storeAssistantReply(row.room_id, { content: row.content.trim(), ai, replyTo: meta.replyTo ?? null }, {
          inTx: (trx) => deleteStream(trx, row.stream_id),
        });
      } else await deleteStream(this.deps.db, row.stream_id);
    }
    return rows.length;
  }

  snapshot(roomId: string): AiStreamSnapshot[] {
    const active = this.roomStates.get(roomId)?.active;
    return active ? [active.snapshot()] : [];
  }

  stop(roomId: string, userId: string): boolean {
    const state = this.roomStates.get(roomId);
    if (!state?.active) return false;
    state.queued = [];
    state.active.stop(userId);
    return true;
  }

  /** Stops every reply (their partial text is stored) and waits for them, bounded. */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const off of this.unsubscribe) off();
    for (const state of this.roomStates.values()) {
      state.queued = [];
      state.active?.stop(null);
    }
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, 5_000).unref())]);
  }

  private async onMessage(roomId: string, message: MessageView): Promise<void> {
    if (this.closed || message.role !== 'user') return;
    let aiMode = this.aiModes.get(roomId);
    if (!aiMode) {
      const room = await this.deps.rooms.findRoom(roomId);
      if (!room) return;
      aiMode = room.ai_mode;
      if (this.aiModes.size >= 10_000) this.aiModes.clear();
      this.aiModes.set(roomId, aiMode);
    }
    if (aiMode === 'off') return;
    let repliesToAssistant = false;
    if (aiMode === 'mention' && message.replyTo && !this.mention.test(message.content)) {
      repliesToAssistant = (await this.deps.messages.findMessage(message.replyTo))?.role === 'assistant';
    }
    const trigger = detectTrigger(message, aiMode, this.mention, repliesToAssistant);
    if (!trigger) return;
    const pending: PendingTrigger = { trigger, requestedBy: message.author?.id ?? null, messageId: message.id };
    const running = this.roomStates.get(roomId);
    if (running) {
      running.queued.push(pending);
      return;
    }
    // Taken synchronously, before any await: a second trigger now queues instead of racing.
    const state: RoomState = { active: null, queued: [] };
    this.roomStates.set(roomId, state);
    await this.runTurn(roomId, state, pending);
  }

  private async runTurn(roomId: string, state: RoomState, pending: PendingTrigger): Promise<void> {
    try {
      state.active = await this.prepare(roomId, pending);
      await state.active?.run();
    } catch (err) {
      // A failed turn must not leave the room taken: log it and go on with what is queued.
      this.deps.logger.error({ err, roomId }, 'assistant turn failed');
    } finally {
      state.active = null;
    }
    return this.next(roomId, state);
  }

  private async next(roomId: string, state: RoomState): Promise<void> {
    const queued = state.queued;
    state.queued = [];
    if (queued.length === 0 || this.closed) {
      this.roomStates.delete(roomId);
      return;
    }
    // One turn answers everything queued: the context holds all those messages.
    const last = queued[queued.length - 1];
    await this.runTurn(roomId, state, { ...last, trigger: queued[0].trigger });
  }

  /** Builds the reply (context, tools); without a provider, ends at once with ai_unavailable. */
  private async prepare(roomId: string, pending: PendingTrigger): Promise<ReplyStream | null> {
    const { config, llm } = this.deps;
    const room = await this.deps.rooms.findRoom(roomId);
    if (!room) return null;
    const model = room.ai_model ?? config.aiModel;
    if (!llm) {
      const streamId = newId();
      const { bus } = this.deps;
      bus.emit('roomFrame', { roomId, audience: 'joined', frame: { type: 'ai_typing', roomId, streamId, model, requestedBy: pending.requestedBy } });
      const error = { code: 'ai_unavailable', message: 'The assistant is not configured on this server' };
      bus.emit('roomFrame', { roomId, audience: 'joined', frame: { type: 'ai_stream_end', roomId, streamId, message: null, error } });
      return null;
    }
    const info = await this.deps.models.get(model);
    const [history, members] = await Promise.all([
      this.deps.messages.recentHistory(roomId, this.deps.historyMessages ?? 40),
      this.deps.rooms.listMembers(roomId),
    ]);
    const { messages, contextMessages } = await buildContext({
      aiName: config.aiName,
      roomName: room.name,
      roomPrompt: room.system_prompt,
      participants: members.map((m) => m.user.displayName),
      now: new Date(),
      history,
      supportsImages: info?.supportsImages ?? false,
      uploadDir: config.uploadDir,
    });
    const tools = info && !info.supportsTools ? [] : toolsFor(this.deps.tools, room.web_search === 1);
    return new ReplyStream(
      {
        db: this.deps.db, bus: this.deps.bus, messages: this.deps.messages, llm, tools: this.deps.tools, logger: this.deps.logger,
        maxToolRounds: this.deps.maxToolRounds ?? 4, timeoutMs: this.deps.timeoutMs ?? 300_000, flushMs: this.deps.flushMs ?? 1_000,
      },
      { roomId, model, trigger: pending.trigger, requestedBy: pending.requestedBy, replyTo: pending.messageId, messages, tools, contextMessages },
    );
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err) => this.deps.logger.error({ err }, 'assistant turn failed'));
    this.running.add(tracked);
    void tracked.finally(() => this.running.delete(tracked));
  }
}

function safeJson(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
