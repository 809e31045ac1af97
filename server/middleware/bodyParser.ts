import type { Next } from 'koa';
import type { AppContext } from './context.js';

type KoaBodyModule = typeof import('koa-body');
let loading: Promise<KoaBodyModule> | null = null;

/**
 * koa-body, loaded on first use: it pulls in formidable (~150 ms of start-up) although only the
 * upload routes parse multipart. The server warms it right after it starts listening.
 */
export function loadKoaBody(): Promise<KoaBodyModule> {
  loading ??= import('koa-body');
  return loading;
}

/** JSON (and small form/text) bodies on POST/PUT/PATCH with the given size limit; no multipart. */
export function jsonBody(limit = '64kb') {
  let parse: ((ctx: AppContext, next: Next) => Promise<unknown>) | null = null;
  return async (ctx: AppContext, next: Next): Promise<void> => {
    if (ctx.method !== 'POST' && ctx.method !== 'PUT' && ctx.method !== 'PATCH') return next();
    if (!parse) {
      const { koaBody } = await loadKoaBody();
      parse ??= koaBody({ jsonLimit: limit, formLimit: limit, textLimit: limit, multipart: false, jsonStrict: true }) as never;
    }
    await parse!(ctx, next);
  };
}
