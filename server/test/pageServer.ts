import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

/** What a page server saw, for asserting that a refused URL was never dialled. */
export interface PageRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
}

export interface PageServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: PageRequest[];
  close(): Promise<void>;
}

export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>The &amp; Test   Page</title>
<style>body { color: red }</style><script>var secret = "<p>script text</p>";</script></head>
<body>
<header><a href="/">Site logo</a> menu</header>
<nav><ul><li>Home</li><li>About</li></ul></nav>
<main><article><header><h1>Article heading</h1></header>
<p>First paragraph with <b>bold</b> and an entity: caf&eacute; &lt;tag&gt; &#x1F600; &#8212; done.</p>
<p>Second
   paragraph   spread over lines.</p>
<ul><li>Item one</li><li>Item two</li></ul>
<!-- a comment that must vanish -->
<pre>code  line 1
  indented line 2</pre>
<noscript>Enable JavaScript</noscript>
</article></main>
<footer>Copyright footer</footer>
<script src="/app.js"></script>
</body></html>`;

export const PLAIN_TEXT = 'Just plain text.\nSecond line.';
export const JSON_BODY = '{"hello":"world","n":[1,2,3]}';
export const BOMB_DECODED_BYTES = 5 * 1024 * 1024;

/**
 * A local web server for fetch_page tests. Routes:
 * `/page.html`, `/plain.txt`, `/data.json`, `/large.html` (~200 KB of prose), `/gzip.html` (gzip page),
 * `/bomb` (≈5 KB gzip inflating to 5 MB of text), `/latin1.html`, `/no-type.html` (no Content-Type),
 * `/binary` (octet-stream), `/image.png`, `/status/<code>`, `/redirect/<n>` (a chain of n hops ending at
 * /page.html), `/redirect-to?url=<absolute>` (302 there), `/slow-headers` (never answers),
 * `/slow-body` (headers, then stalls mid-body). Every request is recorded.
 */
export async function startPageServer(): Promise<PageServer> {
  const requests: PageRequest[] = [];
  const bomb = zlib.gzipSync(Buffer.alloc(BOMB_DECODED_BYTES, 'a'), { level: 9 });
  const large = `<html><head><title>Large</title></head><body>${Array.from({ length: 4000 }, (_, i) => `<p>Paragraph ${i} of filler text for the large page.</p>`).join('')}</body></html>`;

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ method: req.method ?? 'GET', path: u.pathname + u.search, headers: req.headers });
    const send = (status: number, type: string | null, body: string | Buffer, extra: http.OutgoingHttpHeaders = {}) => {
      if (type) res.setHeader('content-type', type);
      for (const [k, v] of Object.entries(extra)) res.setHeader(k, v as string);
      res.writeHead(status);
      res.end(body);
    };
    const p = u.pathname;
    if (p === '/page.html') return send(200, 'text/html; charset=utf-8', PAGE_HTML);
    if (p === '/plain.txt') return send(200, 'text/plain', PLAIN_TEXT);
    if (p === '/data.json') return send(200, 'application/json', JSON_BODY);
    if (p === '/large.html') return send(200, 'text/html', large);
    if (p === '/gzip.html') return send(200, 'text/html', zlib.gzipSync(PAGE_HTML), { 'content-encoding': 'gzip' });
    if (p === '/bomb') return send(200, 'text/plain', bomb, { 'content-encoding': 'gzip' });
    if (p === '/latin1.html') {
      return send(200, 'text/html; charset=iso-8859-1', Buffer.from('<title>Caf\xe9</title><p>Cr\xe8me br\xfbl\xe9e</p>', 'latin1'));
    }
    if (p === '/no-type.html') return send(200, null, '<html><title>Untyped</title><p>Sniffed as HTML</p></html>');
    if (p === '/binary') return send(200, 'application/octet-stream', Buffer.from([0, 1, 2, 3, 255]));
    if (p === '/image.png') return send(200, 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
    const status = /^\/status\/(\d{3})$/.exec(p);
    if (status) return send(Number(status[1]), 'text/plain', 'status page');
    const hops = /^\/redirect\/(\d+)$/.exec(p);
    if (hops) {
      const n = Number(hops[1]);
      return send(302, 'text/plain', '', { location: n <= 1 ? '/page.html' : `/redirect/${n - 1}` });
    }
    if (p === '/redirect-to') return send(302, 'text/plain', '', { location: u.searchParams.get('url') ?? '/' });
    if (p === '/slow-headers') return; // never answers; the client must give up
    if (p === '/slow-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial body...');
      return; // stalls
    }
    send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
