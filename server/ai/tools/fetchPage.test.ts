import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BOMB_DECODED_BYTES, JSON_BODY, PLAIN_TEXT, startPageServer, type PageServer } from '../../test/pageServer.js';
import { fetchPage, TRUNCATION_NOTE, type FetchPageOptions } from './fetchPage.js';
import type { HostResolver } from './ipGuard.js';
import { ToolError, type ToolErrorCode } from './types.js';

let page: PageServer;
let other: PageServer; // a second private server that must never be reached
let lookups: string[];

beforeAll(async () => {
  page = await startPageServer();
  other = await startPageServer();
});
afterAll(async () => {
  await page.close();
  await other.close();
});
beforeEach(() => {
  page.requests.length = 0;
  other.requests.length = 0;
  lookups = [];
});

/** A fake DNS: `*.test` names map to fixed addresses; every call is recorded. */
const fakeDns: HostResolver = async (hostname) => {
  lookups.push(hostname);
  const table: Record<string, Array<{ address: string; family: number }>> = {
    'evil.test': [{ address: '127.0.0.1', family: 4 }],
    'mixed.test': [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ],
    'mapped.test': [{ address: '::ffff:7f00:1', family: 6 }],
    'pages.test': [{ address: '127.0.0.1', family: 4 }],
  };
  const hit = table[hostname];
  if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return hit;
};

/** Allows exactly the page server (the only private address:port tests may reach). */
const onlyPageServer = (address: string, port: number) => address === '127.0.0.1' && port === page.port;
const fetchAllowed = (url: string, o: FetchPageOptions = {}) => fetchPage(url, { allowPrivate: onlyPageServer, lookup: fakeDns, ...o });

async function failure(p: Promise<unknown>, code: ToolErrorCode): Promise<ToolError> {
  const err = await p.then(
    (v) => {
      throw new Error(`expected ToolError ${code}, got result ${JSON.stringify(v).slice(0, 200)}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  expect((err as ToolError).code).toBe(code);
  return err as ToolError;
}

describe('fetchPage content', () => {
  it('turns an HTML page into its title and readable text', async () => {
    const r = await fetchAllowed(`${page.origin}/page.html#frag`);
    expect(r.url).toBe(`${page.origin}/page.html`);
    expect(r.contentType).toBe('text/html');
    expect(r.title).toBe('The & Test Page');
    expect(r.truncated).toBe(false);
    expect(r.text).toContain('Article heading');
    expect(r.text).toContain('First paragraph with bold and an entity: café <tag> 😀 — done.');
    expect(r.text).toContain('Second paragraph spread over lines.');
    expect(r.text).toContain('- Item one\n- Item two');
    expect(r.text).toContain('code  line 1\n  indented line 2');
    for (const chrome of ['Site logo', 'Home', 'Copyright footer', 'script text', 'color: red', 'comment', 'Enable JavaScript']) {
      expect(r.text).not.toContain(chrome);
    }
    const req = page.requests[0];
    expect(req.headers['user-agent']).toMatch(/fetch_page/);
    expect(req.headers.cookie).toBeUndefined();
    expect(req.headers.authorization).toBeUndefined();
  });

  it('passes plain text and JSON through as they are', async () => {
    expect(await fetchAllowed(`${page.origin}/plain.txt`)).toEqual({
      url: `${page.origin}/plain.txt`,
      title: '',
      text: PLAIN_TEXT,
      truncated: false,
      contentType: 'text/plain',
    });
    const json = await fetchAllowed(`${page.origin}/data.json`);
    expect(json.text).toBe(JSON_BODY);
    expect(json.contentType).toBe('application/json');
  });

  it('truncates long text to maxChars and says so', async () => {
    const r = await fetchAllowed(`${page.origin}/large.html`, { maxChars: 1000 });
    expect(r.truncated).toBe(true);
    expect(r.title).toBe('Large');
    expect(r.text.startsWith('Paragraph 0 of filler text')).toBe(true);
    expect(r.text.endsWith(`\n\n${TRUNCATION_NOTE}`)).toBe(true);
    expect(r.text.length).toBeLessThanOrEqual(1000 + TRUNCATION_NOTE.length + 2);
    const dflt = await fetchAllowed(`${page.origin}/large.html`);
    expect(dflt.text.length).toBeLessThanOrEqual(20_000 + TRUNCATION_NOTE.length + 2);
    expect(dflt.truncated).toBe(true);
  });

  it('decodes gzip bodies and honours the charset', async () => {
    const gz = await fetchAllowed(`${page.origin}/gzip.html`);
    expect(gz.title).toBe('The & Test Page');
    expect(gz.text).toContain('Article heading');
    expect(page.requests[0].headers['accept-encoding']).toMatch(/gzip/);
    const latin = await fetchAllowed(`${page.origin}/latin1.html`);
    expect(latin).toMatchObject({ title: 'Café', text: 'Crème brûlée' });
  });

  it('stops reading a gzip bomb at the decoded-size cap and marks it truncated', async () => {
    const capped = await fetchAllowed(`${page.origin}/bomb`, { maxBytes: 100_000, maxChars: 10_000_000 });
    expect(capped.truncated).toBe(true);
    expect(capped.text).toBe(`${'a'.repeat(100_000)}\n\n${TRUNCATION_NOTE}`);
    const dflt = await fetchAllowed(`${page.origin}/bomb`, { maxChars: 10_000_000 });
    expect(dflt.text.length).toBe(2 * 1024 * 1024 + TRUNCATION_NOTE.length + 2);
    expect(dflt.text.length).toBeLessThan(BOMB_DECODED_BYTES);
  });

  it('sniffs a body without Content-Type and refuses binary types', async () => {
    expect(await fetchAllowed(`${page.origin}/no-type.html`)).toMatchObject({ title: 'Untyped', text: 'Sniffed as HTML', contentType: 'text/html' });
    await failure(fetchAllowed(`${page.origin}/binary`), 'unsupported_content');
    await failure(fetchAllowed(`${page.origin}/image.png`), 'unsupported_content');
  });

  it('reports HTTP errors and unreachable servers as fetch_failed', async () => {
    expect((await failure(fetchAllowed(`${page.origin}/status/404`), 'fetch_failed')).message).toMatch(/404/);
    const closed = await startPageServer();
    await closed.close();
    await failure(fetchPage(`http://127.0.0.1:${closed.port}/`, { allowPrivate: true }), 'fetch_failed');
    await failure(fetchPage('http://nowhere.test/', { lookup: fakeDns }), 'fetch_failed');
  });
});

describe('fetchPage limits', () => {
  it('times out waiting for headers and while the body stalls', async () => {
    const t0 = Date.now();
    expect((await failure(fetchAllowed(`${page.origin}/slow-headers`, { timeoutMs: 200 }), 'timeout')).message).toMatch(/timed out/);
    await failure(fetchAllowed(`${page.origin}/slow-body`, { timeoutMs: 200 }), 'timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('stops when the caller aborts', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 50);
    await failure(fetchAllowed(`${page.origin}/slow-headers`, { signal: ctl.signal }), 'aborted');
    await failure(fetchAllowed(`${page.origin}/page.html`, { signal: AbortSignal.abort() }), 'aborted');
  });

  it('follows redirect chains up to maxRedirects', async () => {
    const r = await fetchAllowed(`${page.origin}/redirect/3`);
    expect(r.url).toBe(`${page.origin}/page.html`);
    expect(r.title).toBe('The & Test Page');
    expect(page.requests.map((q) => q.path)).toEqual(['/redirect/3', '/redirect/2', '/redirect/1', '/page.html']);
    expect((await failure(fetchAllowed(`${page.origin}/redirect/6`), 'fetch_failed')).message).toMatch(/redirect/i);
    await failure(fetchAllowed(`${page.origin}/redirect/3`, { maxRedirects: 2 }), 'fetch_failed');
  });
});

describe('fetchPage SSRF guard', () => {
  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/page.html`],
    ['decimal', (p: number) => `http://2130706433:${p}/page.html`],
    ['hex', (p: number) => `http://0x7f000001:${p}/page.html`],
    ['octal', (p: number) => `http://0177.0.0.1:${p}/page.html`],
    ['short', (p: number) => `http://127.1:${p}/page.html`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/page.html`],
    ['IPv4-mapped', (p: number) => `http://[::ffff:127.0.0.1]:${p}/page.html`],
    ['IPv4-mapped hex', (p: number) => `http://[::ffff:7f00:1]:${p}/page.html`],
    ['NAT64', (p: number) => `http://[64:ff9b::7f00:1]:${p}/page.html`],
    ['0.0.0.0', (p: number) => `http://0.0.0.0:${p}/page.html`],
  ])('refuses the %s literal before dialling', async (_name, url) => {
    await failure(fetchPage(url(page.port), { lookup: fakeDns }), 'blocked_address');
    expect(page.requests).toHaveLength(0);
    expect(lookups).toHaveLength(0);
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://192.168.1.1:8080/admin',
    'http://172.16.5.4/',
    'http://100.64.0.1/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
  ])('refuses %s without trying to connect', async (url) => {
    // Were it dialled, these would hang until the timeout instead of failing fast with blocked_address.
    await failure(fetchPage(url, { lookup: fakeDns, timeoutMs: 2000 }), 'blocked_address');
  });

  it.each(['http://localhost:1/', 'http://app.localhost/', 'http://metadata.google.internal/', 'http://printer.local/', 'http://redis:6379/'])(
    'refuses the internal host name %s before any lookup',
    async (url) => {
      await failure(fetchPage(url, { lookup: fakeDns }), 'blocked_address');
      expect(lookups).toHaveLength(0);
    },
  );

  it('refuses, at connect time, a name that resolves to a private address', async () => {
    await failure(fetchPage(`http://evil.test:${page.port}/page.html`, { lookup: fakeDns }), 'blocked_address');
    expect(lookups).toEqual(['evil.test']);
    expect(page.requests).toHaveLength(0);
    await failure(fetchPage(`http://mixed.test:${page.port}/`, { lookup: fakeDns }), 'blocked_address');
    await failure(fetchPage(`http://mapped.test:${page.port}/`, { lookup: fakeDns }), 'blocked_address');
    expect(page.requests).toHaveLength(0);
  });

  it('connects through the injected resolver when the resolved address is allowed', async () => {
    const r = await fetchAllowed(`http://pages.test:${page.port}/plain.txt`);
    expect(r.text).toBe(PLAIN_TEXT);
    expect(lookups).toEqual(['pages.test']);
    expect(page.requests[0].headers.host).toBe(`pages.test:${page.port}`);
  });

  it('re-checks every redirect hop', async () => {
    const via = (target: string) => `${page.origin}/redirect-to?url=${encodeURIComponent(target)}`;
    await failure(fetchAllowed(via('http://127.0.0.1/')), 'blocked_address');
    await failure(fetchAllowed(via(`http://127.0.0.1:${other.port}/page.html`)), 'blocked_address');
    await failure(fetchAllowed(via(`http://localhost:${other.port}/page.html`)), 'blocked_address');
    await failure(fetchAllowed(via('http://169.254.169.254/latest/meta-data/')), 'blocked_address');
    await failure(fetchAllowed(via(`http://evil.test:${other.port}/page.html`)), 'blocked_address');
    expect(lookups).toEqual(['evil.test']);
    await failure(fetchAllowed(via('file:///etc/passwd')), 'bad_url');
    expect(other.requests).toHaveLength(0);
    expect(page.requests).toHaveLength(6); // only the redirecting hops
    // A relative redirect back to the allowed server is fine.
    expect((await fetchAllowed(via('/plain.txt'))).text).toBe(PLAIN_TEXT);
  });

  it.each(['file:///etc/passwd', 'ftp://example.com/file', 'javascript:alert(1)', 'data:text/html,<b>x</b>', 'gopher://example.com/', 'not a url', '/relative'])(
    'refuses the non-http URL %s',
    async (url) => {
      await failure(fetchPage(url), 'bad_url');
    },
  );

  it('refuses credentials in the URL', async () => {
    await failure(fetchPage('http://user:pass@example.com/'), 'bad_url');
    await failure(fetchAllowed(`http://user@127.0.0.1:${page.port}/page.html`), 'bad_url');
    expect(page.requests).toHaveLength(0);
  });

  it('lets allowPrivate: true reach local servers (tests only)', async () => {
    expect((await fetchPage(`http://localhost:${other.port}/plain.txt`, { allowPrivate: true })).text).toBe(PLAIN_TEXT);
    expect(other.requests).toHaveLength(1);
  });
});
