import type { AiStreamsTable, DbOrTx } from '../db/schema.js';

/** In-flight replies: written when a stream starts, flushed about every second, removed at the end. */
export async function insertStream(db: DbOrTx, row: AiStreamsTable): Promise<void> {
  await db.insertInto('ai_streams').values(row).execute();
}

export async function flushStream(db: DbOrTx, streamId: string, content: string, meta: string, now: string): Promise<void> {
  await db.updateTable('ai_streams').set({ content, meta, updated_at: now }).where('stream_id', '=', streamId).execute();
}

export async function deleteStream(db: DbOrTx, streamId: string): Promise<void> {
  await db.deleteFrom('ai_streams').where('stream_id', '=', streamId).execute();
}

/** Streams left behind by a crash (the process died before storing them). */
export function listStreams(db: DbOrTx): Promise<AiStreamsTable[]> {
  return db.selectFrom('ai_streams').selectAll().orderBy('started_at').execute();
}
