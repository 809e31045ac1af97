import type { MessagesTable, UploadsTable } from '../../db/schema.js';
import type { AiMeta, Attachment, Message } from '../../contract.js';
import { presentUser } from '../users/presenter.js';
import type { UserRow } from '../users/repo.js';

/** The contract's Attachment object. */
export type AttachmentView = Attachment;

/** Metadata of an assistant reply (the contract's `message.ai`). */
export type { AiMeta };

/** The contract's Message object. */
export type MessageView = Message;

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
