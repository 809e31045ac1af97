import type { Dispatcher } from 'undici';
import { startDeadline } from './deadline.js';
import { stripTags } from './htmlText.js';
import { ToolError, type SearchPort, type SearchResult } from './types.js';

export interface BraveSearchOptions {
  apiKey: string;
  /** config.braveBaseUrl, e.g. https://api.search.brave.com (a local fake in tests). */
  baseUrl: string;
  /** Total budget per search. Default 15 s. */
  timeoutMs?: number;
  /** Results when the caller does not say. Default 5. */
  defaultResults?: number;
  dispatcher?: Dispatcher;
}

interface BraveWebResult {
  title?: unknown;
  url?: unknown;
  description?: unknown;
}

/** Brave Search API adapter (plain HTTP, notes/llm-wire.md §6) behind the SearchPort. */
export class BraveSearch implements SearchPort {
  private readonly timeoutMs: number;
  private readonly defaultResults: number;

  constructor(private readonly opts: BraveSearchOptions) {
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.defaultResults = opts.defaultResults ?? 5;
  }

  async search(query: string, o: { signal?: AbortSignal; maxResults?: number } = {}): Promise<SearchResult[]> {
    const q = query.trim();
    if (!q) throw new ToolError('bad_arguments', 'The search query is empty');
    const count = Math.min(20, Math.max(1, Math.floor(o.maxResults ?? this.defaultResults)));
    const params = new URLSearchParams({ q: q.slice(0, 400), count: String(count), text_decorations: 'false' });
    const url = `${this.opts.baseUrl.replace(/\/+$/, '')}/res/v1/web/search?${params}`;
    const deadline = startDeadline(this.timeoutMs, o.signal, 'Web search');
    try {
      const { request } = await import('undici'); // loaded on first search, not at start
      const res = await request(url, {
        method: 'GET',
        signal: deadline.signal,
        dispatcher: this.opts.dispatcher,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        headers: { accept: 'application/json', 'x-subscription-token': this.opts.apiKey },
      });
      const text = await deadline.race(res.body.text()).catch((err) => {
        res.body.destroy();
        throw err;
      });
      if (res.statusCode < 200 || res.statusCode > 299) throw braveError(res.statusCode, res.headers, text);
      let data: { web?: { results?: BraveWebResult[] } };
      try {
        data = JSON.parse(text);
      } catch (err) {
        throw new ToolError('search_failed', 'Brave Search returned an unreadable response', { cause: err });
      }
      const results = Array.isArray(data?.web?.results) ? data.web.results : [];
      return results
        .filter((r) => typeof r?.url === 'string')
        .slice(0, count)
        .map((r) => ({
          title: stripTags(String(r.title ?? '')),
          url: r.url as string,
          snippet: stripTags(String(r.description ?? '')),
        }));
    } catch (err) {
      if (err instanceof ToolError) throw err;
      if (deadline.signal.aborted) throw deadline.error();
      throw new ToolError('search_failed', 'Could not reach Brave Search', { cause: err });
    } finally {
      deadline.dispose();
    }
  }
}

type Headers = Dispatcher.ResponseData['headers'];

function headerList(headers: Headers, name: string): number[] {
  const v = headers[name];
  const s = Array.isArray(v) ? v.join(',') : v;
  return s ? s.split(',').map((x) => Number(x.trim())) : [];
}

/**
 * Seconds to wait after a 429: the shortest `X-RateLimit-Reset` among windows whose
 * `X-RateLimit-Remaining` is 0 (all windows if none says so), else `Retry-After`.
 */
export function braveRetryAfter(headers: Headers): number | null {
  const reset = headerList(headers, 'x-ratelimit-reset');
  const remaining = headerList(headers, 'x-ratelimit-remaining');
  const exhausted = reset.filter((r, i) => remaining[i] === 0 && Number.isFinite(r));
  const pool = (exhausted.length ? exhausted : reset).filter((r) => Number.isFinite(r) && r >= 0);
  if (pool.length) return Math.min(...pool);
  const ra = headers['retry-after'];
  const raw = Array.isArray(ra) ? ra[0] : ra;
  if (!raw) return null;
  if (/^\d+$/.test(raw.trim())) return Number(raw);
  const at = Date.parse(raw);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function humanDelay(s: number): string {
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

function braveError(status: number, headers: Headers, body: string): ToolError {
  let code: string | undefined;
  try {
    const e = JSON.parse(body)?.error;
    if (typeof e?.code === 'string') code = e.code;
  } catch {
    // not the JSON envelope; the status decides
  }
  const cause = { status, code };
  // A bad key is commonly answered 422 SUBSCRIPTION_TOKEN_INVALID; a 422 naming another code is a bad query.
  const tokenProblem = !code || /TOKEN|SUBSCRIPTION|AUTH/i.test(code);
  if (status === 401 || status === 403 || (status === 422 && tokenProblem)) {
    return new ToolError('search_auth_failed', 'Web search is unavailable: Brave Search rejected the API key', { cause });
  }
  if (status === 429) {
    const wait = braveRetryAfter(headers);
    const when = wait === null ? 'later' : `in about ${humanDelay(wait)}`;
    return new ToolError('search_rate_limited', `Brave Search rate limit reached; try again ${when}`, {
      cause,
      ...(wait === null ? {} : { retryAfterSeconds: wait }),
    });
  }
  if (status === 422) return new ToolError('search_failed', 'Brave Search rejected the query', { cause });
  return new ToolError('search_failed', `Brave Search failed (HTTP ${status})`, { cause });
}
