import { mkdir, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../db/schema.js';
import { errors } from '../../errors.js';
import { newId, newToken, nowIso } from '../../lib/ids.js';
import type { EventBus } from '../../events.js';
import type { Logger } from '../../lib/logger.js';
import { uploadUrl } from '../messages/presenter.js';
import { updateUser, type UserRow } from '../users/repo.js';
import { detectImage, type ImageInfo } from './imageInfo.js';
import * as repo from './repo.js';
import type { UploadRow } from './repo.js';

/** Upload limits, in bytes (MiB). */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;
export const CHAT_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
/** Largest accepted side and pixel count: bigger images would exhaust the viewers' memory. */
export const MAX_SIDE = 16_384;
export const MAX_PIXELS = 100_000_000;

/** The two public folders under UPLOAD_DIR and the upload kind each holds. */
export const FOLDERS = { avatars: 'avatar', 'chat-images': 'chat' } as const;
export type Folder = keyof typeof FOLDERS;
const FOLDER_OF: Record<UploadRow['kind'], Folder> = { avatar: 'avatars', chat: 'chat-images' };

/** Stored names: newToken(16) (128 random bits, base64url) plus one of our extensions. */
export const STORED_NAME = /^[A-Za-z0-9_-]{22}\.(?:png|jpg|gif|webp)$/;

const HEAD_BYTES = 64 * 1024;

/** An upload ready to stream to a client. */
export interface ServedFile {
  row: UploadRow;
  size: number;
  handle: FileHandle;
}

/**
 * Stores avatars and chat images: the type comes from the bytes, the name from the server; rows
 * and files are created and removed together. Serving looks names up in the uploads table.
 */
export class UploadsService {
  constructor(
    private readonly db: Db,
    private readonly uploadDir: string,
    private readonly logger: Logger,
    private readonly bus?: EventBus,
  ) {}

  /** Where request parsing streams incoming files (inside UPLOAD_DIR so a rename moves them). */
  get tmpRoot(): string {
    return path.join(this.uploadDir, 'tmp');
  }

  /** Absolute path of a stored upload. */
  pathOf(row: Pick<UploadRow, 'kind' | 'file_name'>): string {
    return path.join(this.uploadDir, FOLDER_OF[row.kind], row.file_name);
  }

  /** Stores a received chat image for its owner; it stays unattached until a message uses it. */
  async storeChatImage(ownerId: string, tmpPath: string): Promise<UploadRow> {
    const { info, size } = await inspect(tmpPath);
    const row = this.newRow(ownerId, 'chat', info, size);
    await this.moveIntoPlace(tmpPath, row);
    try {
      return await repo.insertUpload(this.db, row);
    } catch (err) {
      await this.removeFile(row);
      throw err;
    }
  }

  /** Replaces the user's avatar: the new row and users.avatar_url in one transaction, then the old files go. */
  async storeAvatar(user: UserRow, tmpPath: string): Promise<UserRow> {
    const { info, size } = await inspect(tmpPath);
    const row = this.newRow(user.id, 'avatar', info, size);
    await this.moveIntoPlace(tmpPath, row);
    let old: UploadRow[] = [];
    let updated: UserRow;
    try {
      updated = await this.db.transaction().execute(async (trx) => {
        old = await repo.findAvatarsOf(trx, user.id);
        await repo.deleteUploads(trx, old.map((o) => o.id));
        await repo.insertUpload(trx, row);
        return updateUser(trx, user.id, { avatar_url: uploadUrl(row), updated_at: nowIso() });
      });
    } catch (err) {
      await this.removeFile(row);
      throw err;
    }
    for (const o of old) await this.removeFile(o);
    this.bus?.emit('userUpdated', { user: updated });
    return updated;
  }

  /** Opens a stored upload by its public folder and name; undefined for anything unknown. */
  async openStored(folder: string, name: string): Promise<ServedFile | undefined> {
    if (!Object.hasOwn(FOLDERS, folder) || !STORED_NAME.test(name)) return undefined;
    const row = await repo.findUploadByFileName(this.db, FOLDERS[folder as Folder], name);
    if (!row) return undefined;
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(row), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw new Error('stored upload is not a regular file');
      return { row, size: st.size, handle };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Deletes a stored file; a missing file is not an error (it may already be gone). */
  async removeFile(row: Pick<UploadRow, 'kind' | 'file_name'>): Promise<void> {
    try {
      await unlink(this.pathOf(row));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn({ err, file: row.file_name }, 'could not remove upload file');
    }
  }

  private newRow(ownerId: string, kind: UploadRow['kind'], info: ImageInfo, size: number): UploadRow {
    return {
      id: newId(),
      owner_id: ownerId,
      kind,
      file_name: `${newToken(16)}${info.ext}`,
      mime: info.mime,
      size,
      width: info.width,
      height: info.height,
      created_at: nowIso(),
      message_id: null,
      position: null,
    };
  }

  private async moveIntoPlace(tmpPath: string, row: UploadRow): Promise<void> {
    const dest = this.pathOf(row);
    await mkdir(path.dirname(dest), { recursive: true });
    await rename(tmpPath, dest);
  }
}

/**
 * Reads the file's leading bytes (all of it for a JPEG whose frame header sits behind large
 * metadata; the file is already bounded by the upload limit) and decides type and size.
 */
async function inspect(file: string): Promise<{ info: ImageInfo; size: number }> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = await readStart(fh, Math.min(size, HEAD_BYTES));
    let info = detectImage(head);
    if (!info && size > head.length && head[0] === 0xff && head[1] === 0xd8) info = detectImage(await readStart(fh, size));
    if (!info) throw errors.unsupportedMedia('file: must be a PNG, JPEG, GIF or WebP image');
    if (info.width > MAX_SIDE || info.height > MAX_SIDE || info.width * info.height > MAX_PIXELS) {
      throw errors.tooLarge(`file: image is ${info.width}×${info.height} pixels; the limit is ${MAX_SIDE} per side and ${MAX_PIXELS / 1e6} megapixels`);
    }
    return { info, size };
  } finally {
    await fh.close();
  }
}

async function readStart(fh: FileHandle, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
