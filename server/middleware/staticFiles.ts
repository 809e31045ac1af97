import { createReadStream, existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Next } from 'koa';
import type { Logger } from '../lib/logger.js';
import type { AppContext } from './context.js';

/**
 * Serves the built web client (STATIC_DIR) after every API router, as a single-page app:
 * - files as they are, hashed bundles under /assets/ cached for a year (immutable), everything
 *   else (index.html above all) revalidated on each use (`no-cache` + ETag), so a deploy is
 *   picked up at the next page load;
 * - any other GET/HEAD that wants HTML and is not /api/*, /ws or /uploads/* gets index.html
 *   (client-side routes such as /rooms/<id> or /invite/<token>);
 * - no directory listings, no dotfiles, nothing outside the folder (`..`, encoded slashes,
 *   NUL bytes and symlinks pointing out are refused);
 * - the HTML carries a strict CSP (no inline script or style: the build has none) and the usual
 *   anti-framing / no-sniff / no-referrer headers.
 * Written by hand (about 100 lines) rather than koa-static/koa-send to keep these rules explicit.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: https:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Paths the SPA never answers: the API, the WebSocket endpoint, user uploads. */
function isReserved(p: string): boolean {
  return /^\/(api|ws|uploads)(\/|$)/.test(p);
}

/** Maps a URL path to a file inside `root`, or null when it could escape or names a dotfile. */
export function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s.startsWith('.'))) return null;
  const file = path.join(root, ...segments);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function setHtmlHeaders(ctx: AppContext): void {
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
}

/** The static/SPA middleware; register it after all routers. */
export function staticFiles(dir: string, logger: Logger) {
  const root = path.resolve(dir);
  const index = path.join(root, 'index.html');
  if (!existsSync(index)) logger.warn({ staticDir: root }, 'STATIC_DIR has no index.html: build the client with `npm run build:client`');
  let realRoot: string | null = null;

  async function fileAt(file: string): Promise<{ file: string; size: number; mtime: Date } | null> {
    try {
      const st = await stat(file);
      if (!st.isFile()) return null;
      realRoot ??= await realpath(root);
      const real = await realpath(file);
      if (!real.startsWith(realRoot + path.sep)) return null; // a symlink pointing outside
      return { file, size: st.size, mtime: st.mtime };
    } catch {
      return null;
    }
  }

  return async (ctx: AppContext, next: Next): Promise<void> => {
    await next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return;
    if (ctx.body !== undefined || ctx.status !== 404 || isReserved(ctx.path)) return;

    const target = resolveInside(root, ctx.path);
    let found = target ? await fileAt(target) : null;
    const isAsset = ctx.path.startsWith('/assets/');
    if (!found && !isAsset && ctx.accepts('html') === 'html') found = await fileAt(index);
    if (!found) return; // the error handler answers the contract's JSON 404

    const ext = path.extname(found.file).toLowerCase();
    const type = TYPES[ext] ?? 'application/octet-stream';
    ctx.status = 200;
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', isAsset ? IMMUTABLE : 'no-cache');
    if (ext === '.html') setHtmlHeaders(ctx);
    ctx.lastModified = found.mtime;
    ctx.etag = `W/"${found.size.toString(16)}-${found.mtime.getTime().toString(16)}"`;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.type = type;
    ctx.length = found.size;
    if (ctx.method === 'HEAD') return;
    ctx.body = createReadStream(found.file);
  };
}
