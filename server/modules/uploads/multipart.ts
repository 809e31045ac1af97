import { loadKoaBody } from '../../middleware/bodyParser.js';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../../errors.js';
import type { AppContext } from '../../middleware/context.js';

/** Room for multipart boundaries and part headers on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

/** Internal error codes of formidable (koa-body's parser; see formidable/src/FormidableError.js). */
const FORMIDABLE = {
  aborted: 1002,
  maxFieldsSizeExceeded: 1006,
  maxFieldsExceeded: 1007,
  smallerThanMinFileSize: 1008,
  biggerThanTotalMaxFileSize: 1009,
  noEmptyFiles: 1010,
  maxFilesExceeded: 1015,
  biggerThanMaxFileSize: 1016,
} as const;

function mib(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 100) / 100} MB`;
}

/**
 * Maps formidable's failures (a numeric `code` and an `httpCode`, not koa's `status`) to the
 * contract: over the size limit → 413, more than one file → 400, malformed bodies → 400.
 * File-system errors (string codes such as ENOSPC) stay unexpected errors (500).
 */
export function mapParseError(err: unknown, maxBytes: number): unknown {
  const e = err as { code?: unknown; httpCode?: number };
  if (typeof e?.code !== 'number') return err;
  switch (e.code) {
    case FORMIDABLE.biggerThanMaxFileSize:
    case FORMIDABLE.biggerThanTotalMaxFileSize:
      return errors.tooLarge(`file: must be at most ${mib(maxBytes)}`);
    case FORMIDABLE.maxFilesExceeded:
      return errors.invalid('file: send exactly one file');
    case FORMIDABLE.maxFieldsExceeded:
    case FORMIDABLE.maxFieldsSizeExceeded:
      return errors.tooLarge('body: too many or too large form fields');
    case FORMIDABLE.noEmptyFiles:
    case FORMIDABLE.smallerThanMinFileSize:
      return errors.invalid('file: is empty');
    case FORMIDABLE.aborted:
      return errors.invalid('body: request aborted');
    default:
      return e.httpCode !== undefined && e.httpCode !== 500 ? errors.invalid('body: malformed multipart/form-data') : err;
  }
}

/**
 * Receives exactly one file from a multipart body's `file` field, streamed by koa-body
 * (formidable) to a per-request temp folder under `tmpRoot` with hard limits, then hands its path
 * to `use` (which moves it away if it keeps it). The temp folder is removed whatever happens;
 * removing the folder also defeats a late file open racing the cleanup (it fails with ENOENT).
 */
export async function receiveSingleFile<T>(
  ctx: AppContext,
  opts: { maxBytes: number; tmpRoot: string },
  use: (filepath: string) => Promise<T>,
): Promise<T> {
  if (!ctx.is('multipart/form-data')) {
    throw errors.invalid('file: send multipart/form-data with one file in the field "file"');
  }
  const declared = Number(ctx.get('content-length'));
  if (Number.isFinite(declared) && declared > opts.maxBytes + MULTIPART_OVERHEAD) {
    throw errors.tooLarge(`file: must be at most ${mib(opts.maxBytes)}`);
  }
  await mkdir(opts.tmpRoot, { recursive: true });
  const dir = await mkdtemp(path.join(opts.tmpRoot, 'req-'));
  try {
    const { koaBody } = await loadKoaBody();
    const parse = koaBody({
      multipart: true,
      json: false,
      urlencoded: false,
      text: false,
      patchNode: false,
      formidable: {
        uploadDir: dir,
        maxFiles: 1,
        maxFileSize: opts.maxBytes,
        maxTotalFileSize: opts.maxBytes,
        maxFields: 10,
        maxFieldsSize: 16 * 1024,
        allowEmptyFiles: false,
        minFileSize: 1,
        keepExtensions: false,
      },
      onError: (err) => {
        throw mapParseError(err, opts.maxBytes);
      },
    });
    await parse(ctx, async () => {});
    const file = ctx.request.files?.file;
    if (!file) throw errors.invalid('file: is required (one file in the multipart field "file")');
    if (Array.isArray(file)) throw errors.invalid('file: send exactly one file');
    return await use(file.filepath);
  } catch (err) {
    // A failed parse may leave the request paused mid-body; drain it so the answer gets through.
    if (!ctx.req.complete) ctx.req.resume();
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
