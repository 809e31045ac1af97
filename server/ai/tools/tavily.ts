import type { TavilyClient } from '@tavily/core';
import { startDeadline } from './deadline.js';
import { stripTags } from './htmlText.js';
import { ToolError, type SearchPort, type SearchResult } from './types.js';

export interface TavilySearchOptions {
  apiKey: string;
  /** config.tavilyBaseUrl: the SDK's own `apiBaseURL` option (null → https://api.tavily.com). */
  baseUrl?: string | null;
  /** Total budget per search. Default 15 s. */
  timeoutMs?: number;
  /** Results when the caller does not say. Default 5. */
  defaultResults?: number;
}

/**
 * Tavily adapter over `@tavily/core` (notes/llm-wire.md §5). The SDK takes no AbortSignal, so each
 * call races our own deadline and a late answer is dropped; the SDK's own (seconds) timeout is set
 * just past ours so the abandoned axios request still ends on its own.
 */
export class TavilySearch implements SearchPort {
  /** The SDK (and axios under it) loads on the first search, not at server start. */
  private client: Promise<TavilyClient> | null = null;
  private readonly timeoutMs: number;
  private readonly defaultResults: number;

  private readonly opts: TavilySearchOptions;

  constructor(opts: TavilySearchOptions) {
    if (!opts.apiKey) throw new Error('TavilySearch needs an API key'); // never fall into the SDK's keyless mode
    this.opts = opts;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.defaultResults = opts.defaultResults ?? 5;
  }

  async search(query: string, o: { signal?: AbortSignal; maxResults?: number } = {}): Promise<SearchResult[]> {
    const q = query.trim();
    if (!q) throw new ToolError('bad_arguments', 'The search query is empty');
    const maxResults = Math.min(20, Math.max(1, Math.floor(o.maxResults ?? this.defaultResults)));
    const deadline = startDeadline(this.timeoutMs, o.signal, 'Web search');
    try {
      this.client ??= import('@tavily/core').then(({ tavily }) =>
        tavily({ apiKey: this.opts.apiKey, ...(this.opts.baseUrl ? { apiBaseURL: this.opts.baseUrl.replace(/\/+$/, '') } : {}) }),
      );
      const client = await deadline.race(this.client);
      const call = client.search(q, {
        maxResults,
        searchDepth: 'basic',
        topic: 'general',
        includeAnswer: false,
        includeImages: false,
        includeRawContent: false,
        timeout: Math.ceil(this.timeoutMs / 1000) + 1,
      });
      const res = await deadline.race(call);
      return (res.results ?? [])
        .filter((r) => typeof r?.url === 'string')
        .slice(0, maxResults)
        .map((r) => ({ title: stripTags(String(r.title ?? '')), url: r.url, snippet: stripTags(String(r.content ?? '')) }));
    } catch (err) {
      if (err instanceof ToolError) throw err;
      throw mapTavilyError(err);
    } finally {
      deadline.dispose();
    }
  }
}

/**
 * Maps the SDK's plain Errors to ToolError codes. The SDK drops the HTTP status and keeps only the
 * server's `detail.error` text (or `"<status> Error: <json>"` when there is none), so we match both.
 */
export function mapTavilyError(err: unknown): ToolError {
  if ((err as Error | null)?.name === 'TavilyKeylessLimitError') {
    return new ToolError('search_rate_limited', 'Tavily search limit reached; try again later', { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  const auth = () => new ToolError('search_auth_failed', 'Web search is unavailable: Tavily rejected the API key', { cause: err });
  const limited = () => new ToolError('search_rate_limited', 'Tavily rate limit or usage quota reached; try again later', { cause: err });
  const failed = (m = 'Tavily search failed') => new ToolError('search_failed', m, { cause: err });

  if (/^Request timed out/i.test(msg)) return new ToolError('timeout', 'Web search timed out', { cause: err });
  if (/^An unexpected error occurred/i.test(msg)) return failed('Could not reach Tavily');
  const status = /^(\d{3}) Error:/.exec(msg)?.[1];
  if (status === '401' || status === '403') return auth();
  if (status === '429' || status === '432' || status === '433') return limited();
  if (status) return failed(`Tavily search failed (HTTP ${status})`);
  if (/unauthori[sz]ed|invalid api key|api key|forbidden/i.test(msg)) return auth();
  if (/rate limit|too many requests|excessive requests|usage limit|exceeds your|quota|credits/i.test(msg)) return limited();
  return failed();
}
