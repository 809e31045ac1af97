import { createHash } from 'node:crypto';

/**
 * The message's content hash: SHA-256 over a canonical JSON array of the fields that identify it
 * (id, room, author, role, content, creation time). Fixed at creation; edits do not change it.
 */
export function hashMessage(m: { id: string; roomId: string; authorId: string | null; role: string; content: string; createdAt: string }): string {
  const canonical = JSON.stringify(['chat-message-v1', m.id, m.roomId, m.authorId, m.role, m.content, m.createdAt]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
