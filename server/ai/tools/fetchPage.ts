import { isIP } from 'node:net';
import { pipeline, type Readable, type Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Agent, Dispatcher } from 'undici';
import { startDeadline, type Deadline } from './deadline.js';
import { htmlToText } from './htmlText.js';
import {
  blockedHostnameReason,
  guardedLookup,
  isAddressAllowed,
  systemResolver,
  type AllowPrivate,
  type HostResolver,
} from './ipGuard.js';
import { ToolError } from './types.js';

/** Options for {@link fetchPage}; defaults follow notes/llm-wire.md §7.4. */
export interface FetchPageOptions {
  signal?: AbortSignal;
  /** config.fetchAllowPrivate (tests only): `true`, or a predicate allowing chosen `address:port` pairs. */
  allowPrivate?: AllowPrivate;
  /** Cap on DECODED body bytes; past it the download stops and the text is marked truncated. Default 2 MB. */
  maxBytes?: number;
  /** Total budget for every hop's connect + headers + body. Default 10 s. */
  timeoutMs?: number;
  /** Default 5; each hop is re-validated. */
  maxRedirects?: number;
  /** Characters of text returned. Default 20,000. */
  maxChars?: number;
  /** DNS resolver used at connect time (injectable for tests). */
  lookup?: HostResolver;
}

export interface FetchedPage {
  /** The final URL after redirects. */
  url: string;
  title: string;
  text: string;
  truncated: boolean;
  /** The response's media type without parameters, e.g. `text/html`. */
  contentType: string;
}

export const TRUNCATION_NOTE = '[truncated: page continues]';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml']);
const TEXT_TYPES = new Set(['text/plain', 'text/markdown', 'application/json']);
const USER_AGENT = 'Mozilla/5.0 (compatible; ai-group-chat fetch_page)';

interface Target {
  url: URL;
  port: number;
}

/** Parses and vets a URL before anything is dialled: scheme, credentials, literal IPs, internal names. */
export function checkTarget(raw: string, allowPrivate: AllowPrivate = false): Target {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ToolError('bad_url', 'Not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ToolError('bad_url', 'Only http and https URLs can be fetched');
  if (url.username || url.password) throw new ToolError('bad_url', 'URLs with credentials are not allowed');
  // WHATWG parsing already turned 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  if (isIP(host)) {
    if (!isAddressAllowed(host, port, allowPrivate)) {
      throw new ToolError('blocked_address', `Refusing to fetch ${url.host}: private or reserved address`);
    }
  } else if (allowPrivate !== true) {
    const reason = blockedHostnameReason(host);
    if (reason) throw new ToolError('blocked_address', `Refusing to fetch ${url.host}: ${reason}`);
  }
  url.hash = '';
  return { url, port };
}

/**
 * Downloads a web page for the assistant with the SSRF guard of notes/llm-wire.md §7: literal
 * addresses and internal names are refused up front, every resolved address is checked at connect
 * time, redirects are followed by hand and re-checked, and time and decoded size are bounded.
 * Throws ToolError on every failure.
 */
export async function fetchPage(rawUrl: string, opts: FetchPageOptions = {}): Promise<FetchedPage> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  const maxRedirects = opts.maxRedirects ?? 5;
  const maxChars = opts.maxChars ?? 20_000;
  const allowPrivate = opts.allowPrivate ?? false;
  const deadline = startDeadline(timeoutMs, opts.signal, 'Fetching the page');
  const { Agent, request } = await import('undici'); // loaded on first fetch, not at start
  const agents: Agent[] = [];
  try {
    let target = checkTarget(rawUrl, allowPrivate);
    for (let hop = 0; ; hop++) {
      const port = target.port;
      const agent = new Agent({
        connect: {
          timeout: timeoutMs,
          lookup: guardedLookup(opts.lookup ?? systemResolver, (addr) => isAddressAllowed(addr, port, allowPrivate)),
        },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        maxResponseSize: -1, // wire bytes; the decoded cap below is the one that matters (§7.2)
      });
      agents.push(agent);
      const res = await request(target.url, {
        method: 'GET',
        dispatcher: agent,
        signal: deadline.signal,
        headers: {
          'user-agent': USER_AGENT,
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,application/json;q=0.8,*/*;q=0.1',
          'accept-encoding': 'gzip, deflate, br',
        },
      });
      if (REDIRECTS.has(res.statusCode)) {
        discard(res.body);
        const location = header(res.headers, 'location');
        if (!location) throw new ToolError('fetch_failed', `The page answered HTTP ${res.statusCode} without a Location`);
        if (hop >= maxRedirects) throw new ToolError('fetch_failed', `Too many redirects (more than ${maxRedirects})`);
        let next: string;
        try {
          next = new URL(location, target.url).href;
        } catch {
          throw new ToolError('fetch_failed', 'The page redirected to an invalid URL');
        }
        target = checkTarget(next, allowPrivate);
        continue;
      }
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        throw new ToolError('fetch_failed', `The page answered HTTP ${res.statusCode}`);
      }
      return await readPage(target.url.href, res, { maxBytes, maxChars, deadline });
    }
  } catch (err) {
    throw toToolError(err, deadline);
  } finally {
    deadline.dispose();
    await Promise.all(agents.map((a) => a.destroy().catch(() => undefined)));
  }
}

/** Drops a body we will not read; undici emits an abort error on destroy, which must not go unhandled. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

function header(headers: Dispatcher.ResponseData['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function readPage(
  url: string,
  res: Dispatcher.ResponseData,
  o: { maxBytes: number; maxChars: number; deadline: Deadline },
): Promise<FetchedPage> {
  const rawType = header(res.headers, 'content-type') ?? '';
  let mediaType = rawType.split(';')[0].trim().toLowerCase();
  if (mediaType && !HTML_TYPES.has(mediaType) && !TEXT_TYPES.has(mediaType) && !mediaType.endsWith('+json')) {
    discard(res.body);
    throw new ToolError('unsupported_content', `Cannot read ${mediaType} content; only HTML, plain text and JSON pages are supported`);
  }
  const encodings = (header(res.headers, 'content-encoding') ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity');
  const { bytes, capped } = await readCapped(res.body, encodings, o.maxBytes);
  if (o.deadline.signal.aborted) throw o.deadline.error();

  if (!mediaType) {
    // No Content-Type: sniff. Binary (NUL bytes) is refused; markup is treated as HTML.
    const head = bytes.subarray(0, 1024);
    if (head.includes(0)) throw new ToolError('unsupported_content', 'Cannot read binary content');
    mediaType = /^\s*</.test(head.toString('latin1')) ? 'text/html' : 'text/plain';
  }
  const html = HTML_TYPES.has(mediaType);
  const decoded = decodeText(bytes, charsetOf(rawType) ?? (html ? metaCharset(bytes) : null));
  const { title, text: full } = html ? htmlToText(decoded) : { title: '', text: decoded.trim() };

  let text = full;
  let truncated = capped;
  if (text.length > o.maxChars) {
    let cut = o.maxChars;
    if (/[\uD800-\uDBFF]/.test(text[cut - 1] ?? '')) cut--; // do not split a surrogate pair
    text = text.slice(0, cut).trimEnd();
    truncated = true;
  }
  if (truncated) text += `\n\n${TRUNCATION_NOTE}`;
  return { url, title, text, truncated, contentType: mediaType };
}

function decoderFor(encoding: string): Transform {
  // Lenient flushes: a body cut short by our own cap (or a sloppy server) still yields what it had.
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (encoding === 'deflate') return zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (encoding === 'br') return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
  throw new ToolError('unsupported_content', `Cannot decode content encoding "${encoding}"`);
}

/**
 * Reads the body through its content decoders, counting DECODED bytes (undici's maxResponseSize
 * counts wire bytes, so a small gzip bomb would pass it). Stops and destroys the streams at the cap.
 */
async function readCapped(body: Readable, encodings: string[], maxBytes: number): Promise<{ bytes: Buffer; capped: boolean }> {
  let stream: Readable = body;
  if (encodings.length) {
    const decoders = encodings.reverse().map(decoderFor);
    stream = pipeline([body, ...decoders], () => undefined) as unknown as Readable;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let capped = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const room = maxBytes - total;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        total += room;
        capped = true;
        break;
      }
      chunks.push(chunk);
      total += chunk.length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new ToolError('fetch_failed', 'The page body could not be decompressed', { cause: err });
    }
    throw err;
  } finally {
    discard(body);
    if (stream !== body) discard(stream);
  }
  return { bytes: Buffer.concat(chunks, total), capped };
}

function charsetOf(contentType: string): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType);
  return m ? m[1] : null;
}

function metaCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 2048).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(head);
  return m ? m[1] : null;
}

function decodeText(bytes: Buffer, charset: string | null): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // unknown label
  }
}

const NET_MESSAGES: Record<string, string> = {
  ENOTFOUND: 'Could not resolve the host name',
  EAI_AGAIN: 'Could not resolve the host name',
  ECONNREFUSED: 'The server refused the connection',
  ECONNRESET: 'The connection was reset',
  UND_ERR_SOCKET: 'The connection failed',
};

function toToolError(err: unknown, deadline: Deadline): ToolError {
  if (err instanceof ToolError) return err;
  if (deadline.signal.aborted) return deadline.error();
  const code = (err as NodeJS.ErrnoException)?.code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new ToolError('timeout', 'Fetching the page timed out', { cause: err });
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code.includes('CERT')) {
    return new ToolError('fetch_failed', 'The site presented an invalid TLS certificate', { cause: err });
  }
  return new ToolError('fetch_failed', NET_MESSAGES[code] ?? 'Could not fetch the page', { cause: err });
}
