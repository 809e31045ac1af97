import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Failure the fake answers with instead of results; `slow` delays a normal answer by `slowMs`. */
export type SearchFailure = 'none' | 'unauthorized' | 'forbidden' | 'rate_limited' | 'quota' | 'server_error' | 'bad_query' | 'slow';

export interface RecordedSearch {
  provider: 'tavily' | 'brave';
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Brave: the query string; Tavily: empty. */
  query: URLSearchParams;
  /** Tavily: the parsed JSON body; Brave: null. */
  body: any;
}

/** A result as the fake serves it; `snippet` goes out verbatim (markup included) as Tavily `content` / Brave `description`. */
export interface FakeHit {
  title: string;
  url: string;
  snippet: string;
}

export interface FakeSearch {
  /** Use as TAVILY_BASE_URL and BRAVE_BASE_URL: serves Tavily `POST /search` and Brave `GET /res/v1/web/search`. */
  baseUrl: string;
  tavilyKey: string;
  braveKey: string;
  requests: RecordedSearch[];
  failure: SearchFailure;
  slowMs: number;
  hits: FakeHit[];
  close(): Promise<void>;
}

const DEFAULT_HITS: FakeHit[] = Array.from({ length: 12 }, (_, i) => ({
  title: `Result ${i + 1} &amp; more`,
  url: `https://example.com/r${i + 1}`,
  snippet: `Snippet number ${i + 1} about the query.`,
}));

function tavilyResponse(query: string, hits: FakeHit[]) {
  return {
    query,
    follow_up_questions: null,
    answer: null,
    images: [],
    results: hits.map((h, i) => ({ url: h.url, title: h.title, content: h.snippet, score: 0.9 - i * 0.05, raw_content: null, favicon: null })),
    response_time: 0.42,
    request_id: 'req-fake-123',
  };
}

function braveResponse(query: string, hits: FakeHit[], decorate: boolean) {
  return {
    type: 'search',
    query: { original: query, more_results_available: true },
    mixed: { type: 'mixed', main: hits.map((_, index) => ({ type: 'web', index, all: false })), top: [], side: [] },
    web: {
      type: 'search',
      family_friendly: true,
      results: hits.map((h) => {
        const u = new URL(h.url);
        return {
          title: h.title,
          url: h.url,
          description: decorate ? `<strong>${h.snippet}</strong>` : h.snippet,
          age: '2 days ago',
          page_age: '2026-01-01T00:00:00',
          language: 'en',
          meta_url: { scheme: u.protocol.replace(':', ''), netloc: u.host, hostname: u.hostname, path: u.pathname },
          profile: { name: u.hostname, url: h.url, long_name: u.hostname, img: '' },
        };
      }),
    },
  };
}

const braveError = (status: number, code: string, detail: string, meta: Record<string, unknown> = {}) => ({
  type: 'ErrorResponse',
  error: { id: 'err-fake', status, code, detail, meta },
  time: 1_700_000_000,
});

/**
 * Local server speaking Tavily's and Brave's real wire formats (notes/llm-wire.md §5, §6), with
 * switchable failures (`fake.failure = 'rate_limited'` etc.) and a record of every request.
 */
export async function startFakeSearch(opts: { tavilyKey?: string; braveKey?: string } = {}): Promise<FakeSearch> {
  const sockets = new Set<import('node:net').Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const fake = {
    tavilyKey: opts.tavilyKey ?? 'tvly-test-key',
    braveKey: opts.braveKey ?? 'brave-test-key',
    requests: [] as RecordedSearch[],
    failure: 'none' as SearchFailure,
    slowMs: 5_000,
    hits: DEFAULT_HITS,
  };

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const isTavily = req.method === 'POST' && u.pathname === '/search';
    const isBrave = req.method === 'GET' && u.pathname === '/res/v1/web/search';
    if (!isTavily && !isBrave) return json(404, { detail: 'Not Found' });
    let body: any = null;
    if (isTavily) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return json(400, { detail: { error: 'Invalid JSON body' } });
      }
    }
    fake.requests.push({ provider: isTavily ? 'tavily' : 'brave', method: req.method!, path: u.pathname, headers: req.headers, query: u.searchParams, body });
    if (fake.failure === 'slow') {
      await new Promise<void>((r) => {
        const t = setTimeout(r, fake.slowMs);
        timers.add(t);
        res.on('close', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    const f = fake.failure;

    if (isTavily) {
      const keyOk = req.headers.authorization === `Bearer ${fake.tavilyKey}`;
      if (f === 'unauthorized' || !keyOk) return json(401, { detail: { error: 'Unauthorized: missing or invalid API key.' } });
      if (f === 'forbidden') return json(403, { message: 'Forbidden' }); // no detail.error: SDK says "403 Error: {...}"
      if (f === 'rate_limited') {
        return json(429, { detail: { error: 'Your request has been blocked due to excessive requests. Please reduce rate of requests.' } }, { 'retry-after': '30' });
      }
      if (f === 'quota') {
        return json(432, { detail: { error: "This request exceeds your plan's set usage limit. Please upgrade your plan or contact support@tavily.com" } });
      }
      if (f === 'server_error') return json(500, { detail: { error: 'Internal Server Error' } });
      if (f === 'bad_query') return json(400, { detail: { error: 'Query is invalid.' } });
      const n = typeof body.max_results === 'number' ? body.max_results : 5;
      return json(200, tavilyResponse(String(body.query), fake.hits.slice(0, n)));
    }

    const keyOk = req.headers['x-subscription-token'] === fake.braveKey;
    if (!keyOk) return json(422, braveError(422, 'SUBSCRIPTION_TOKEN_INVALID', 'The provided subscription token is invalid.'));
    if (f === 'unauthorized') return json(401, braveError(401, 'UNAUTHORIZED', 'Unauthorized.'));
    if (f === 'forbidden') return json(403, braveError(403, 'FORBIDDEN', 'Forbidden.'));
    if (f === 'rate_limited' || f === 'quota') {
      const perSecond = f === 'rate_limited';
      return json(
        429,
        braveError(429, 'RATE_LIMITED', 'Request rate limit exceeded for plan.', perSecond ? { plan: 'Free', rate_limit: 1, rate_current: 2 } : { plan: 'Free', quota_limit: 2000, quota_current: 2000 }),
        {
          'x-ratelimit-limit': '1, 2000',
          'x-ratelimit-policy': '1;w=1, 2000;w=2592000',
          'x-ratelimit-remaining': perSecond ? '0, 1500' : '1, 0',
          'x-ratelimit-reset': '1, 1419704',
        },
      );
    }
    if (f === 'server_error') return json(500, braveError(500, 'INTERNAL_ERROR', 'Internal error.'));
    if (f === 'bad_query') return json(422, braveError(422, 'VALIDATION', 'Unable to validate request parameter(s).'));
    const count = Number(u.searchParams.get('count') ?? 20);
    const q = u.searchParams.get('q') ?? '';
    return json(200, braveResponse(q, fake.hits.slice(0, count), u.searchParams.get('text_decorations') !== 'false'));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
}
