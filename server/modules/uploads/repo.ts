import type { Insertable } from 'kysely';
import type { DbOrTx, UploadsTable } from '../../db/schema.js';

export type UploadRow = UploadsTable;

/** SQLite caps bound parameters per statement; long id lists are queried in slices. */
const SLICE = 500;

async function inSlices<T>(ids: string[], run: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += SLICE) out.push(...(await run(ids.slice(i, i + SLICE))));
  return out;
}

/** Inserts an upload's row. */
export async function insertUpload(db: DbOrTx, row: Insertable<UploadsTable>): Promise<UploadRow> {
  await db.insertInto('uploads').values(row).execute();
  return (await db.selectFrom('uploads').selectAll().where('id', '=', row.id).executeTakeFirst())!;
}

/** The upload stored under a file name of a given kind (serving). */
export function findUploadByFileName(db: DbOrTx, kind: UploadsTable['kind'], fileName: string): Promise<UploadRow | undefined> {
  return db.selectFrom('uploads').selectAll().where('kind', '=', kind).where('file_name', '=', fileName).executeTakeFirst();
}

/**
 * Attaches the sender's own, still unattached chat uploads to a message, keeping the order
 * given as `position`. Returns how many rows changed: fewer than `ids.length` means some id was
 * unknown, someone else's, an avatar, already attached or repeated (the caller rejects the send).
 */
export async function attachUploads(db: DbOrTx, messageId: string, ownerId: string, ids: string[]): Promise<number> {
  let changed = 0;
  for (let position = 0; position < ids.length; position++) {
    const res = await db
      .updateTable('uploads')
      .set({ message_id: messageId, position })
      .where('id', '=', ids[position])
      .where('owner_id', '=', ownerId)
      .where('kind', '=', 'chat')
      .where('message_id', 'is', null)
      .executeTakeFirst();
    changed += Number(res.numUpdatedRows);
  }
  return changed;
}

/** Attachments of several messages, ordered by message then position (group by `message_id`). */
export function findAttachmentsForMessages(db: DbOrTx, messageIds: string[]): Promise<UploadRow[]> {
  if (messageIds.length === 0) return Promise.resolve([]);
  return inSlices(messageIds, (slice) =>
    db
      .selectFrom('uploads')
      .selectAll()
      .where('message_id', 'in', slice)
      .orderBy('message_id')
      .orderBy('position')
      .execute(),
  );
}

/** The user's current avatar upload rows (normally zero or one). */
export function findAvatarsOf(db: DbOrTx, ownerId: string): Promise<UploadRow[]> {
  return db.selectFrom('uploads').selectAll().where('owner_id', '=', ownerId).where('kind', '=', 'avatar').execute();
}

/** Deletes upload rows by id; returns how many went. */
export async function deleteUploads(db: DbOrTx, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < ids.length; i += SLICE) {
    const res = await db.deleteFrom('uploads').where('id', 'in', ids.slice(i, i + SLICE)).executeTakeFirst();
    n += Number(res.numDeletedRows);
  }
  return n;
}

/** Chat uploads never attached to a message and created before `cutoffIso` (cleanup). */
export function findStaleUnattached(db: DbOrTx, cutoffIso: string, limit: number): Promise<UploadRow[]> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('kind', '=', 'chat')
    .where('message_id', 'is', null)
    .where('created_at', '<', cutoffIso)
    .limit(limit)
    .execute();
}

/** Uploads whose message no longer exists (message deleted, room cleared or deleted). */
export function findOrphanedAttachments(db: DbOrTx, limit: number): Promise<UploadRow[]> {
  return db
    .selectFrom('uploads')
    .selectAll()
    .where('message_id', 'is not', null)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('messages').select('messages.id').whereRef('messages.id', '=', 'uploads.message_id'))),
    )
    .limit(limit)
    .execute();
}

/**
 * Deletes the row only if it is still in the state the cleanup saw (unattached, or attached to a
 * message that is gone), so an attach racing the sweep keeps its file. Returns whether it went.
 */
export async function deleteIfStillCollectable(db: DbOrTx, row: UploadRow): Promise<boolean> {
  let q = db.deleteFrom('uploads').where('id', '=', row.id);
  if (row.message_id === null) q = q.where('message_id', 'is', null);
  else
    q = q
      .where('message_id', '=', row.message_id)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('messages').select('messages.id').whereRef('messages.id', '=', 'uploads.message_id'))),
      );
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Which of these file names have a row (disk sweep). */
export async function existingFileNames(db: DbOrTx, names: string[]): Promise<Set<string>> {
  const rows = await inSlices(names, (slice) =>
    db.selectFrom('uploads').select('file_name').where('file_name', 'in', slice).execute(),
  );
  return new Set(rows.map((r) => r.file_name));
}
