import type { Config } from '../../config.js';
import type { Db, DbOrTx, UploadsTable } from '../../db/schema.js';
import { GroupCommit } from '../../db/groupCommit.js';
import { errors } from '../../errors.js';
import type { EventBus } from '../../events.js';
import { newId, nowIso } from '../../lib/ids.js';
import { isUniqueViolation } from '../../lib/sqliteErrors.js';
import type { RoomChangeFrame } from '../../realtime/frames.js';
import { recordChange } from '../rooms/changes.js';
import type { RoomsService } from '../rooms/service.js';
import { attachUploads, findAttachmentsForMessages } from '../uploads/repo.js';
import { findUsersByIds, type UserRow } from '../users/repo.js';
import { hashMessage } from './hash.js';
import { presentMessage, type AiMeta, type MessageView } from './presenter.js';
import * as repo from './repo.js';
import type { MessageRow } from './repo.js';
import type { SendInput } from './schema.js';

type MessageFrame = Extract<RoomChangeFrame, { type: 'message' }>;

/** Messages: sending (REST, WebSocket, assistant), history, edits, deletes and hash lookup. */
export class MessagesService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly rooms: RoomsService,
    private readonly config: Pick<Config, 'roomLogKeep'>,
    private readonly writes: GroupCommit = new GroupCommit(db),
  ) {}

  /**
   * Stores a human message (membership checked, 404 otherwise) and announces it after commit.
   * A repeated clientId from the same author returns the stored message with created=false.
   */
  async send(user: UserRow, roomId: string, input: SendInput): Promise<{ message: MessageView; created: boolean }> {
    await this.rooms.requireMember(roomId, user.id);
    // A repeated clientId is caught by the (author_id, client_id) unique index below, so the
    // common first send costs no extra lookup.
    if (input.replyTo && !(await repo.existsInRoom(this.db, roomId, input.replyTo))) {
      throw errors.invalid('replyTo: no such message in this room');
    }
    const attachments = input.attachments ?? [];
    try {
      const frame = await this.insert(roomId, { role: 'user', author: user, content: input.content, replyTo: input.replyTo ?? null, clientId: input.clientId ?? null, ai: null }, attachments);
      return { message: frame.message, created: true };
    } catch (err) {
      if (input.clientId && isUniqueViolation(err, 'client_id')) {
        const existing = await repo.findByClientId(this.db, user.id, input.clientId);
        if (existing) return { message: await this.present(existing), created: false };
      }
      throw err;
    }
  }

  /**
   * Stores the assistant's reply (author null) through the same path as a human message.
   * `inTx` runs in the same transaction (e.g. dropping the in-flight stream row); `beforePublish`
   * runs after commit and before the `message` frame goes out (ai_stream_end comes first).
   */
  async storeAssistantReply(
    roomId: string,
    input: { content: string; ai: AiMeta; replyTo?: string | null },
    hooks: { inTx?: (trx: DbOrTx) => Promise<void>; beforePublish?: (message: MessageView) => void } = {},
  ): Promise<MessageView> {
    const replyTo = input.replyTo && (await repo.existsInRoom(this.db, roomId, input.replyTo)) ? input.replyTo : null;
    const frame = await this.insert(roomId, { role: 'assistant', author: null, content: input.content, replyTo, clientId: null, ai: input.ai }, [], hooks);
    return frame.message;
  }

  private async insert(
    roomId: string,
    m: { role: 'user' | 'assistant' | 'system'; author: UserRow | null; content: string; replyTo: string | null; clientId: string | null; ai: AiMeta | null },
    attachmentIds: string[],
    hooks: { inTx?: (trx: DbOrTx) => Promise<void>; beforePublish?: (message: MessageView) => void } = {},
  ): Promise<MessageFrame> {
    const now = nowIso();
    const id = newId();
    const authorId = m.author?.id ?? null;
    const frame = await this.writes.run(async (trx) => {
      if (hooks.inTx) await hooks.inTx(trx);
      return recordChange<MessageFrame>(trx, roomId, now, this.config.roomLogKeep, async (seq) => {
        const row: MessageRow = {
          id,
          room_id: roomId,
          seq,
          role: m.role,
          author_id: authorId,
          content: m.content,
          reply_to: m.replyTo,
          hash: hashMessage({ id, roomId, authorId, role: m.role, content: m.content, createdAt: now }),
          client_id: m.clientId,
          created_at: now,
          edited_at: null,
          ai: m.ai ? JSON.stringify(m.ai) : null,
        };
        await repo.insertMessage(trx, row);
        let uploads: UploadsTable[] = [];
        if (attachmentIds.length) {
          const attached = authorId ? await attachUploads(trx, id, authorId, attachmentIds) : 0;
          if (attached !== attachmentIds.length) throw errors.invalid('attachments: each must be your own unused upload');
          uploads = await findAttachmentsForMessages(trx, [id]);
        }
        return { type: 'message', roomId, seq, message: presentMessage(row, m.author ?? undefined, uploads) };
      }, { activity: true });
    });
    hooks.beforePublish?.(frame.message);
    this.bus.emit('roomFrame', { roomId, frame, audience: 'joined' });
    this.bus.emit('messageCreated', { roomId, message: frame.message });
    return frame;
  }

  /** A page of history for a member, ascending seq. */
  async history(roomId: string, userId: string, q: { before?: number; after?: number; limit: number }): Promise<{ messages: MessageView[]; hasMore: boolean }> {
    await this.rooms.requireMember(roomId, userId);
    const { rows, hasMore } = await repo.pageMessages(this.db, roomId, q);
    return { messages: await this.presentMany(rows), hasMore };
  }

  /** The newest `limit` messages in ascending seq (assistant context). */
  async recentHistory(roomId: string, limit: number): Promise<MessageView[]> {
    const { rows } = await repo.pageMessages(this.db, roomId, { limit });
    return this.presentMany(rows);
  }

  async findMessage(messageId: string): Promise<MessageView | undefined> {
    const row = await repo.findMessageById(this.db, messageId);
    return row ? this.present(row) : undefined;
  }

  /** Edits a message's content: its author only. Announced as message_updated with a new seq. */
  async edit(messageId: string, userId: string, content: string): Promise<MessageView> {
    const row = await this.requireVisible(messageId, userId);
    if (row.role !== 'user' || row.author_id !== userId) throw errors.forbidden('Only the author may edit a message');
    const attachments = await findAttachmentsForMessages(this.db, [messageId]);
    if (!content && attachments.length === 0) throw errors.invalid('content: must not be empty (unless the message has attachments)');
    const now = nowIso();
    const frame = await this.writes.run(async (trx) => {
      await repo.updateMessageContent(trx, messageId, content, now);
      const updated = (await repo.findMessageById(trx, messageId))!;
      const [view] = await this.presentMany([updated], trx);
      return recordChange(trx, row.room_id, now, this.config.roomLogKeep, (seq) => ({ type: 'message_updated' as const, roomId: row.room_id, seq, message: view }));
    });
    this.bus.emit('roomFrame', { roomId: row.room_id, frame, audience: 'joined' });
    return frame.message;
  }

  /** Deletes a message: its author, or the room's owner/admin. */
  async remove(messageId: string, userId: string): Promise<void> {
    const row = await this.requireVisible(messageId, userId);
    if (row.author_id !== userId || row.role !== 'user') {
      const role = await this.rooms.roleOf(row.room_id, userId);
      if (role !== 'owner' && role !== 'admin') throw errors.forbidden('Only the author, the owner or an admin may delete a message');
    }
    const now = nowIso();
    const frame = await this.writes.run(async (trx) => {
      await repo.deleteMessage(trx, messageId);
      return recordChange(trx, row.room_id, now, this.config.roomLogKeep, (seq) => ({ type: 'message_deleted' as const, roomId: row.room_id, seq, messageId }));
    });
    this.bus.emit('roomFrame', { roomId: row.room_id, frame, audience: 'joined' });
  }

  /** Removes every message of a room (owner/admin), announced as room_cleared. */
  clearRoom(roomId: string, userId: string): Promise<void> {
    return this.rooms.clear(roomId, userId, (trx) => repo.deleteRoomMessages(trx, roomId));
  }

  /** Finds a message by its content hash, for members of its room only. */
  async findByHash(hash: string, userId: string): Promise<{ message: MessageView; room: { id: string; name: string } }> {
    const row = await repo.findMessageByHash(this.db, hash);
    if (!row) throw errors.notFound('Message');
    const role = await this.rooms.roleOf(row.room_id, userId);
    const room = role ? await this.rooms.findRoom(row.room_id) : undefined;
    if (!room) throw errors.notFound('Message');
    return { message: await this.present(row), room: { id: room.id, name: room.name } };
  }

  private async requireVisible(messageId: string, userId: string): Promise<MessageRow> {
    const row = await repo.findMessageById(this.db, messageId);
    if (!row || !(await this.rooms.roleOf(row.room_id, userId))) throw errors.notFound('Message');
    return row;
  }

  private async present(row: MessageRow): Promise<MessageView> {
    return (await this.presentMany([row]))[0];
  }

  /** Presents rows with their authors and attachments loaded in two batched queries. */
  private async presentMany(rows: MessageRow[], db: DbOrTx = this.db): Promise<MessageView[]> {
    if (rows.length === 0) return [];
    const authorIds = [...new Set(rows.map((r) => r.author_id).filter((id): id is string => !!id))];
    const users = new Map((await findUsersByIds(db, authorIds)).map((u) => [u.id, u]));
    const byMessage = new Map<string, UploadsTable[]>();
    for (const u of await findAttachmentsForMessages(db, rows.map((r) => r.id))) {
      const list = byMessage.get(u.message_id!) ?? [];
      list.push(u);
      byMessage.set(u.message_id!, list);
    }
    return rows.map((r) => presentMessage(r, r.author_id ? users.get(r.author_id) : undefined, byMessage.get(r.id) ?? []));
  }
}
