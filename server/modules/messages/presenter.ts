import type { MessagesTable, UploadsTable } from '../../db/schema.js';
import { presentUser, type UserView } from '../users/presenter.js';
import type { UserRow } from '../users/repo.js';

/** The contract's Attachment object. */
export interface AttachmentView {
  id: string;
  url: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
}

/** Metadata of an assistant reply (the contract's `message.ai`). */
export interface AiMeta {
  streamId: string;
  model: string;
  trigger: 'mention' | 'reply' | 'always';
  requestedBy: string | null;
  finishReason: 'stop' | 'length' | 'stopped' | 'error';
  error: string | null;
  stoppedBy: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; cost: number | null };
  toolCalls: Array<{ name: string; input: unknown; status: 'finished' | 'failed'; summary: string }>;
  sources: Array<{ title: string; url: string }>;
  contextMessages: number;
  durationMs: number;
}

/** The contract's Message object. */
export interface MessageView {
  id: string;
  roomId: string;
  seq: number;
  role: 'user' | 'assistant' | 'system';
  author: UserView | null;
  content: string;
  replyTo: string | null;
  attachments: AttachmentView[];
  hash: string;
  createdAt: string;
  editedAt: string | null;
  ai: AiMeta | null;
}

/** Public URL path of a stored upload. */
export function uploadUrl(row: Pick<UploadsTable, 'kind' | 'file_name'>): string {
  return `/uploads/${row.kind === 'avatar' ? 'avatars' : 'chat-images'}/${row.file_name}`;
}

/** Presents an upload as an Attachment. */
export function presentAttachment(row: UploadsTable): AttachmentView {
  return { id: row.id, url: uploadUrl(row), mime: row.mime, size: row.size, width: row.width, height: row.height };
}

/** Presents a message row with its (already loaded) author and attachments. */
export function presentMessage(row: MessagesTable, author: UserRow | undefined, attachments: UploadsTable[]): MessageView {
  return {
    id: row.id,
    roomId: row.room_id,
    seq: row.seq,
    role: row.role,
    author: row.role === 'user' && author ? presentUser(author) : null,
    content: row.content,
    replyTo: row.reply_to,
    attachments: attachments.map(presentAttachment),
    hash: row.hash,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    ai: row.ai ? (JSON.parse(row.ai) as AiMeta) : null,
  };
}
