import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/testServer.js';
import { CONTENT_SECURITY_POLICY, resolveInside } from './staticFiles.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-a1b2c3.js"></script></head><body><div id="app"></div></body></html>';
const ASSET = 'console.log("app");';
const SECRET = 'TOP-SECRET-OUTSIDE-STATIC-DIR';

/** Raw HTTP so paths reach the server exactly as written (fetch would normalise `..`). */
function raw(url: string, method: string, p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname, port, method, path: p, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static web client serving', () => {
  let server: TestServer;
  let base: string;
  const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

  beforeAll(async () => {
    base = mkdtempSync(path.join(os.tmpdir(), 'chat-static-'));
    const dist = path.join(base, 'dist');
    mkdirSync(path.join(dist, 'assets'), { recursive: true });
    writeFileSync(path.join(dist, 'index.html'), INDEX);
    writeFileSync(path.join(dist, 'assets', 'index-a1b2c3.js'), ASSET);
    writeFileSync(path.join(dist, '.env'), SECRET);
    writeFileSync(path.join(base, 'secret.txt'), SECRET);
    symlinkSync(path.join(base, 'secret.txt'), path.join(dist, 'leak.txt'));
    server = await startTestServer({ STATIC_DIR: dist });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and the security headers', async () => {
    const res = await fetch(server.url + '/', { headers: html });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self' ws: wss:");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it.each(['/rooms/abc123', '/invite/some-token', '/profile', '/index.html'])('answers client routes with index.html: %s', async (p) => {
    const res = await fetch(server.url + p, { headers: html });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(INDEX);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('serves hashed assets as immutable for a year', async () => {
    const res = await fetch(server.url + '/assets/index-a1b2c3.js');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(ASSET);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('revalidates with the ETag (304) and answers HEAD without a body', async () => {
    const first = await fetch(server.url + '/', { headers: html });
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // Raw HTTP: fetch adds `cache-control: no-cache` to conditional requests, which (rightly) skips 304.
    const again = await raw(server.url, 'GET', '/', { ...html, 'if-none-match': etag! });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    const head = await raw(server.url, 'HEAD', '/rooms/x', html);
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX)));
    expect(head.body).toBe('');
  });

  it('keeps the JSON 404 for unknown API routes, missing assets and uploads', async () => {
    for (const p of ['/api/nope', '/api', '/uploads/chat-images/missing.png', '/assets/missing.js', '/ws']) {
      const res = await fetch(server.url + p, { headers: html });
      expect(res.status, p).toBe(404);
      expect(res.headers.get('content-type'), p).toContain('application/json');
      expect((await res.json()).error.code, p).toBe('not_found');
    }
  });

  it('does not fall back to index.html for non-HTML requests or other methods', async () => {
    const json = await fetch(server.url + '/rooms/abc', { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    expect((await json.json()).error.code).toBe('not_found');
    const post = await fetch(server.url + '/rooms/abc', { method: 'POST', headers: html });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toContain('<html>');
  });

  it('refuses path traversal, dotfiles, symlinks out of the folder, and lists no directory', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/.env',
      '/%2eenv',
      '/leak.txt',
      '/assets/',
      '/assets%00.js',
    ];
    for (const p of attempts) {
      for (const headers of [html, { accept: '*/*' }, { accept: 'application/octet-stream' }]) {
        const res = await raw(server.url, 'GET', p, headers);
        expect(res.body, p).not.toContain(SECRET);
        expect([200, 400, 404], p).toContain(res.status);
        if (res.status === 200) expect(res.body, p).toBe(INDEX);
      }
    }
  });
});

describe('resolveInside', () => {
  const root = path.resolve('/srv/app/dist');
  it('maps plain paths into the folder', () => {
    expect(resolveInside(root, '/assets/a.js')).toBe(path.join(root, 'assets', 'a.js'));
    expect(resolveInside(root, '/')).toBe(root);
  });
  it('refuses anything that could leave it', () => {
    for (const p of ['/../x', '/a/%2e%2e/%2e%2e/x', '/%2e%2e%2fx', '/a%5c..%5cx', '/%00', '/%E0%A4%A', '/.git/config']) {
      expect(resolveInside(root, p), p).toBeNull();
    }
  });
});
