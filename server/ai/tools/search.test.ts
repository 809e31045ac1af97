import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSearch, type FakeSearch, type SearchFailure } from '../../test/fakeSearch.js';
import { BraveSearch, braveRetryAfter } from './brave.js';
import { createSearchPort, type SearchConfig } from './search.js';
import { TavilySearch, mapTavilyError } from './tavily.js';
import { ToolError, type SearchPort, type ToolErrorCode } from './types.js';

let fake: FakeSearch;
let deadPort: string; // a base URL nothing listens on

beforeAll(async () => {
  fake = await startFakeSearch();
  const dead = await startFakeSearch();
  deadPort = dead.baseUrl;
  await dead.close();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.failure = 'none';
  fake.requests.length = 0;
  fake.slowMs = 5_000;
});

async function failure(p: Promise<unknown>, code: ToolErrorCode): Promise<ToolError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected ToolError ${code}, got ${JSON.stringify(v).slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  expect((err as ToolError).code).toBe(code);
  return err as ToolError;
}

const tavilyPort = (o: { apiKey?: string; timeoutMs?: number; baseUrl?: string } = {}) =>
  new TavilySearch({ apiKey: o.apiKey ?? fake.tavilyKey, baseUrl: o.baseUrl ?? fake.baseUrl, timeoutMs: o.timeoutMs });
const bravePort = (o: { apiKey?: string; timeoutMs?: number; baseUrl?: string } = {}) =>
  new BraveSearch({ apiKey: o.apiKey ?? fake.braveKey, baseUrl: o.baseUrl ?? fake.baseUrl, timeoutMs: o.timeoutMs });

describe('Tavily', () => {
  it('searches with the SDK wire format and maps the results', async () => {
    const results = await tavilyPort().search('  latest node release  ', { maxResults: 3 });
    expect(results).toEqual([
      { title: 'Result 1 & more', url: 'https://example.com/r1', snippet: 'Snippet number 1 about the query.' },
      { title: 'Result 2 & more', url: 'https://example.com/r2', snippet: 'Snippet number 2 about the query.' },
      { title: 'Result 3 & more', url: 'https://example.com/r3', snippet: 'Snippet number 3 about the query.' },
    ]);
    const req = fake.requests[0];
    expect(req).toMatchObject({ provider: 'tavily', method: 'POST', path: '/search' });
    expect(req.headers.authorization).toBe(`Bearer ${fake.tavilyKey}`);
    expect(req.headers['x-client-source']).toBe('tavily-js');
    expect(req.body).toMatchObject({ query: 'latest node release', max_results: 3, search_depth: 'basic', include_answer: false });
  });

  it('defaults to 5 results and strips markup from snippets', async () => {
    const saved = fake.hits;
    fake.hits = [{ title: '<b>Bold</b> title', url: 'https://example.com/x', snippet: 'A <em>marked</em>&nbsp;up &quot;snippet&quot;' }];
    try {
      expect(await tavilyPort().search('q', {})).toEqual([{ title: 'Bold title', url: 'https://example.com/x', snippet: 'A marked up "snippet"' }]);
    } finally {
      fake.hits = saved;
    }
    expect(fake.requests[0].body.max_results).toBe(5);
  });

  it.each<[SearchFailure, ToolErrorCode]>([
    ['unauthorized', 'search_auth_failed'],
    ['forbidden', 'search_auth_failed'],
    ['rate_limited', 'search_rate_limited'],
    ['quota', 'search_rate_limited'],
    ['server_error', 'search_failed'],
    ['bad_query', 'search_failed'],
  ])('maps the %s answer to %s', async (mode, code) => {
    fake.failure = mode;
    const err = await failure(tavilyPort().search('q', {}), code);
    expect(err.message).not.toContain(fake.tavilyKey);
  });

  it('maps a wrong key to search_auth_failed without echoing it', async () => {
    const err = await failure(tavilyPort({ apiKey: 'tvly-wrong-secret' }).search('q', {}), 'search_auth_failed');
    expect(err.message).not.toContain('tvly-wrong-secret');
  });

  it('times out a slow provider with its own deadline, and honours abort', async () => {
    fake.failure = 'slow';
    const t0 = Date.now();
    await failure(tavilyPort({ timeoutMs: 150 }).search('q', {}), 'timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await failure(tavilyPort().search('q', { signal: ctl.signal }), 'aborted');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('reports an unreachable endpoint as search_failed and an empty query as bad_arguments', async () => {
    await failure(tavilyPort({ baseUrl: deadPort }).search('q', {}), 'search_failed');
    await failure(tavilyPort().search('   ', {}), 'bad_arguments');
    expect(fake.requests).toHaveLength(0);
  });

  it('maps the SDK message shapes', () => {
    expect(mapTavilyError(new Error('Request timed out after 16 seconds.')).code).toBe('timeout');
    expect(mapTavilyError(new Error('429 Error: {"message":"slow down"}')).code).toBe('search_rate_limited');
    expect(mapTavilyError(new Error('401 Error: {}')).code).toBe('search_auth_failed');
    expect(mapTavilyError(new Error('502 Error: "bad gateway"')).code).toBe('search_failed');
    expect(mapTavilyError(new Error('An unexpected error occurred while making the request. Error: AxiosError: 401')).code).toBe('search_failed');
  });
});

describe('Brave', () => {
  it('sends the documented request and maps web results', async () => {
    const saved = fake.hits;
    fake.hits = [
      { title: 'Pizza &amp; <b>pasta</b>', url: 'https://example.com/p', snippet: 'The <strong>best</strong> pizza&#39;s &quot;secret&quot;' },
      ...saved,
    ];
    try {
      const results = await bravePort().search('best pizza', { maxResults: 2 });
      expect(results).toEqual([
        { title: 'Pizza & pasta', url: 'https://example.com/p', snippet: `The best pizza's "secret"` },
        { title: 'Result 1 & more', url: 'https://example.com/r1', snippet: 'Snippet number 1 about the query.' },
      ]);
    } finally {
      fake.hits = saved;
    }
    const req = fake.requests[0];
    expect(req).toMatchObject({ provider: 'brave', method: 'GET', path: '/res/v1/web/search' });
    expect(Object.fromEntries(req.query)).toEqual({ q: 'best pizza', count: '2', text_decorations: 'false' });
    expect(req.headers['x-subscription-token']).toBe(fake.braveKey);
    expect(req.headers.accept).toBe('application/json');
  });

  it('treats a response without a web section as no results', async () => {
    const saved = fake.hits;
    fake.hits = [];
    try {
      expect(await bravePort().search('nothing', {})).toEqual([]);
    } finally {
      fake.hits = saved;
    }
    expect(fake.requests[0].query.get('count')).toBe('5');
  });

  it.each<[SearchFailure, ToolErrorCode]>([
    ['unauthorized', 'search_auth_failed'],
    ['forbidden', 'search_auth_failed'],
    ['server_error', 'search_failed'],
    ['bad_query', 'search_failed'],
  ])('maps the %s answer to %s', async (mode, code) => {
    fake.failure = mode;
    await failure(bravePort().search('q', {}), code);
  });

  it('maps the 422 SUBSCRIPTION_TOKEN_INVALID answer to a bad key', async () => {
    const err = await failure(bravePort({ apiKey: 'brave-wrong-secret' }).search('q', {}), 'search_auth_failed');
    expect(err.message).not.toContain('brave-wrong-secret');
  });

  it('reads the wait from the rate-limit headers on 429', async () => {
    fake.failure = 'rate_limited';
    const perSecond = await failure(bravePort().search('q', {}), 'search_rate_limited');
    expect(perSecond.retryAfterSeconds).toBe(1);
    expect(perSecond.message).toMatch(/about 1 s/);
    fake.failure = 'quota';
    const monthly = await failure(bravePort().search('q', {}), 'search_rate_limited');
    expect(monthly.retryAfterSeconds).toBe(1_419_704);
    expect(monthly.message).toMatch(/about 16 days/);
  });

  it('falls back to Retry-After', () => {
    expect(braveRetryAfter({ 'retry-after': '42' })).toBe(42);
    const at = new Date(Date.now() + 120_000).toUTCString();
    expect(braveRetryAfter({ 'retry-after': at })).toBeGreaterThanOrEqual(118);
    expect(braveRetryAfter({})).toBeNull();
  });

  it('times out a slow provider, honours abort, and reports an unreachable one', async () => {
    fake.failure = 'slow';
    const t0 = Date.now();
    await failure(bravePort({ timeoutMs: 150 }).search('q', {}), 'timeout');
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await failure(bravePort().search('q', { signal: ctl.signal }), 'aborted');
    expect(Date.now() - t0).toBeLessThan(3000);
    await failure(bravePort({ baseUrl: deadPort }).search('q', {}), 'search_failed');
  });
});

describe('createSearchPort', () => {
  const base = (over: Partial<SearchConfig>): SearchConfig => ({
    searchProvider: 'none',
    tavilyApiKey: null,
    tavilyBaseUrl: null,
    braveApiKey: null,
    braveBaseUrl: 'https://api.search.brave.com',
    ...over,
  });

  it('returns null when no provider is chosen or its key is missing', () => {
    expect(createSearchPort(base({ tavilyApiKey: 'k', braveApiKey: 'k' }))).toBeNull();
    expect(createSearchPort(base({ searchProvider: 'tavily', braveApiKey: 'k' }))).toBeNull();
    expect(createSearchPort(base({ searchProvider: 'brave', tavilyApiKey: 'k' }))).toBeNull();
  });

  it('builds working Tavily and Brave ports from config', async () => {
    const tv: SearchPort | null = createSearchPort(base({ searchProvider: 'tavily', tavilyApiKey: fake.tavilyKey, tavilyBaseUrl: fake.baseUrl }));
    expect(tv).toBeInstanceOf(TavilySearch);
    expect(await tv!.search('x', { maxResults: 1 })).toHaveLength(1);
    const br = createSearchPort(base({ searchProvider: 'brave', braveApiKey: fake.braveKey, braveBaseUrl: fake.baseUrl }));
    expect(br).toBeInstanceOf(BraveSearch);
    expect(await br!.search('x', { maxResults: 2 })).toHaveLength(2);
    expect(fake.requests.map((r) => r.provider)).toEqual(['tavily', 'brave']);
  });
});
