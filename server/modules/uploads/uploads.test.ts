import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/testServer.js';
import { makeGif, makeJpeg, makePng, WEBP_1X1 } from './testImages.js';
import { diskPath, padTo, postForm, uploadAvatar as avatar, uploadImage as upload } from './testSupport.js';

const MiB = 1024 * 1024;

let s: TestServer;
let alice: { token: string; user: any };
let bob: { token: string; user: any };

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.register('alice_up');
  bob = await s.register('bob_up');
});
afterAll(async () => {
  await s.stop();
});

const uploadImage = (data: Buffer, filename = 'image.png', type = 'image/png', token = alice.token) => upload(s, token, data, filename, type);
const uploadAvatar = (data: Buffer, token = alice.token) => avatar(s, token, data);

/** GET/HEAD with the path sent exactly as written (fetch would normalise dot segments). */
function raw(pathname: string, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.port, path: pathname, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const tmpEntries = (server: TestServer) => (existsSync(server.deps.uploads.tmpRoot) ? readdirSync(server.deps.uploads.tmpRoot) : []);

describe('POST /api/upload', () => {
  it.each([
    ['png', makePng(3, 2), 'a.png', 'image/png', 3, 2, '.png'],
    ['jpeg', makeJpeg(17, 9), 'a.jpg', 'image/jpeg', 17, 9, '.jpg'],
    ['gif', makeGif(5, 3), 'a.gif', 'image/gif', 5, 3, '.gif'],
    ['webp (VP8L)', WEBP_1X1.lossless, 'a.webp', 'image/webp', 1, 1, '.webp'],
    ['webp (VP8)', WEBP_1X1.lossy, 'a.webp', 'image/webp', 1, 1, '.webp'],
    ['webp (VP8X)', WEBP_1X1.extended, 'a.webp', 'image/webp', 1, 1, '.webp'],
  ])('accepts %s, measures it and serves the same bytes', async (_label, data, filename, mime, width, height, ext) => {
    const res = await uploadImage(data, filename, 'application/octet-stream');
    expect(res.status).toBe(201);
    const up = res.body.upload;
    expect(Object.keys(up).sort()).toEqual(['height', 'id', 'mime', 'size', 'url', 'width']);
    expect(up).toMatchObject({ mime, size: data.length, width, height });
    expect(up.url).toMatch(new RegExp(`^/uploads/chat-images/[A-Za-z0-9_-]{22}\\${ext}$`));
    const got = await fetch(s.url + up.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(mime);
    expect(Buffer.from(await got.arrayBuffer()).equals(data)).toBe(true);
  });

  it('decides the type from the bytes: a PNG named .gif is stored and served as PNG', async () => {
    const res = await uploadImage(makePng(4, 4), 'cat.gif', 'image/gif');
    expect(res.status).toBe(201);
    expect(res.body.upload).toMatchObject({ mime: 'image/png', width: 4, height: 4 });
    expect(res.body.upload.url).toMatch(/\.png$/);
    expect(res.body.upload.url).not.toContain('cat');
    const got = await raw(res.body.upload.url);
    expect(got.headers['content-type']).toBe('image/png');
  });

  it.each([
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><script>alert(1)</script></svg>', 'x.svg', 'image/svg+xml'],
    ['text renamed .png', 'just some text, honestly a picture', 'x.png', 'image/png'],
    ['HTML renamed .gif', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>', 'x.gif', 'image/gif'],
    ['truncated PNG header', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), 'x.png', 'image/png'],
  ])('refuses %s with 415', async (_label, content, filename, type) => {
    const res = await uploadImage(Buffer.from(content), filename, type);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('unsupported_media_type');
    expect(tmpEntries(s)).toEqual([]);
  });

  it('accepts exactly 5 MB and refuses 5 MB + 1 byte with 413, leaving no temp file', async () => {
    const ok = await uploadImage(padTo(makePng(2, 2), 5 * MiB));
    expect(ok.status).toBe(201);
    expect(ok.body.upload.size).toBe(5 * MiB);
    const big = await uploadImage(padTo(makePng(2, 2), 5 * MiB + 1));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(tmpEntries(s)).toEqual([]);
  });

  it('refuses a body whose declared length is far over the limit before reading it', async () => {
    const res = await uploadImage(padTo(makePng(2, 2), 7 * MiB));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    // The connection still works afterwards.
    expect((await uploadImage(makePng(1, 1))).status).toBe(201);
  });

  it('finds a JPEG frame header that sits behind more than 64 KB of metadata', async () => {
    const app = (n: number) => Buffer.concat([Buffer.from([0xff, 0xe2, (n + 2) >> 8, (n + 2) & 0xff]), Buffer.alloc(n, 0x41)]);
    const jpeg = makeJpeg(40, 30);
    const fat = Buffer.concat([jpeg.subarray(0, 2), app(60_000), app(60_000), jpeg.subarray(2)]);
    const res = await uploadImage(fat, 'fat.jpg', 'image/jpeg');
    expect(res.status).toBe(201);
    expect(res.body.upload).toMatchObject({ mime: 'image/jpeg', width: 40, height: 30, size: fat.length });
  });

  it('refuses images over the pixel limits with 413 (nothing decodes them, but viewers would)', async () => {
    const res = await uploadImage(Buffer.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0xff, 0xff, 0xff, 0xff, 0, 0, 0]), 'big.gif', 'image/gif');
    expect(res.status).toBe(413);
    expect(res.body.error.message).toMatch(/^file: /);
  });

  it('answers 400 for bodies that are not multipart', async () => {
    const json = await s.api('POST', '/api/upload', { token: alice.token, body: { file: 'x' } });
    expect(json.status).toBe(400);
    expect(json.body.error.code).toBe('invalid_input');
    expect(json.body.error.message).toMatch(/^file: /);
    const octets = await fetch(s.url + '/api/upload', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'image/png' },
      body: new Uint8Array(makePng(1, 1)),
    });
    expect(octets.status).toBe(400);
    const none = await fetch(s.url + '/api/upload', { method: 'POST', headers: { authorization: `Bearer ${alice.token}` } });
    expect(none.status).toBe(400);
    const noBoundary = await fetch(s.url + '/api/upload', {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data' },
      body: 'garbage',
    });
    expect(noBoundary.status).toBe(400);
    expect((await noBoundary.json()).error.code).toBe('invalid_input');
  });

  it('answers 400 when the `file` field is missing, not a file, or empty', async () => {
    const other = await postForm(s, '/api/upload', alice.token, [{ field: 'image', data: makePng(1, 1), filename: 'a.png', type: 'image/png' }]);
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/^file: /);
    const text = await postForm(s, '/api/upload', alice.token, [{ field: 'file', data: 'not a file part' }]);
    expect(text.status).toBe(400);
    const empty = await uploadImage(Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(tmpEntries(s)).toEqual([]);
  });

  it('answers 400 for two files (exactly one file per request), and cleans up', async () => {
    const res = await postForm(s, '/api/upload', alice.token, [
      { data: makePng(1, 1), filename: 'a.png', type: 'image/png' },
      { data: makePng(2, 2), filename: 'b.png', type: 'image/png' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', message: 'file: send exactly one file' });
    const mixed = await postForm(s, '/api/upload', alice.token, [
      { data: makePng(1, 1), filename: 'a.png', type: 'image/png' },
      { field: 'other', data: makePng(2, 2), filename: 'b.png', type: 'image/png' },
    ]);
    expect(mixed.status).toBe(400);
    expect(tmpEntries(s)).toEqual([]);
  });

  it('requires a valid token (401) for uploads and avatars', async () => {
    for (const p of ['/api/upload', '/api/auth/avatar']) {
      for (const token of [undefined, 'garbage']) {
        const res = await postForm(s, p, token, [{ data: makePng(1, 1), filename: 'a.png', type: 'image/png' }]);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });
});

describe('POST /api/auth/avatar', () => {
  it('sets avatarUrl, and a replacement removes the old file and row', async () => {
    const first = await uploadAvatar(makePng(8, 8));
    expect(first.status).toBe(200);
    const url1: string = first.body.user.avatarUrl;
    expect(url1).toMatch(/^\/uploads\/avatars\/[A-Za-z0-9_-]{22}\.png$/);
    expect(first.body.user).toMatchObject({ id: alice.user.id, username: 'alice_up' });
    expect(existsSync(diskPath(s, url1))).toBe(true);
    expect((await raw(url1)).status).toBe(200);

    const second = await postForm(s, '/api/auth/avatar', alice.token, [{ data: makeJpeg(16, 16), filename: 'me.png', type: 'image/png' }]);
    expect(second.status).toBe(200);
    const url2: string = second.body.user.avatarUrl;
    expect(url2).toMatch(/^\/uploads\/avatars\/[A-Za-z0-9_-]{22}\.jpg$/);
    expect(url2).not.toBe(url1);
    expect(existsSync(diskPath(s, url1))).toBe(false);
    expect(existsSync(diskPath(s, url2))).toBe(true);
    expect((await raw(url1)).status).toBe(404);
    const served = await raw(url2);
    expect(served.status).toBe(200);
    expect(served.headers['content-type']).toBe('image/jpeg');

    const me = await s.api('GET', '/api/auth/me', { token: alice.token });
    expect(me.body.user.avatarUrl).toBe(url2);
    const rows = await s.deps.db.selectFrom('uploads').selectAll().where('owner_id', '=', alice.user.id).where('kind', '=', 'avatar').execute();
    expect(rows.map((r) => r.file_name)).toEqual([url2.split('/').pop()]);
  });

  it('accepts exactly 2 MB and refuses 2 MB + 1 byte with 413', async () => {
    const ok = await uploadAvatar(padTo(makePng(2, 2), 2 * MiB), bob.token);
    expect(ok.status).toBe(200);
    const big = await uploadAvatar(padTo(makePng(2, 2), 2 * MiB + 1), bob.token);
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    const me = await s.api('GET', '/api/auth/me', { token: bob.token });
    expect(me.body.user.avatarUrl).toBe(ok.body.user.avatarUrl);
    expect(tmpEntries(s)).toEqual([]);
  });

  it('refuses non-images with 415 and keeps the current avatar', async () => {
    const before = (await s.api('GET', '/api/auth/me', { token: alice.token })).body.user.avatarUrl;
    const res = await postForm(s, '/api/auth/avatar', alice.token, [{ data: '<svg/>', filename: 'me.png', type: 'image/png' }]);
    expect(res.status).toBe(415);
    expect((await s.api('GET', '/api/auth/me', { token: alice.token })).body.user.avatarUrl).toBe(before);
  });
});

describe('serving /uploads', () => {
  let url: string;
  let bytes: Buffer;
  beforeAll(async () => {
    bytes = makePng(6, 5);
    url = (await uploadImage(bytes)).body.upload.url;
  });

  it('sends the stored type, safety and caching headers, and supports HEAD', async () => {
    const get = await raw(url);
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe('image/png');
    expect(get.headers['x-content-type-options']).toBe('nosniff');
    expect(get.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(get.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(get.headers['content-length']).toBe(String(bytes.length));
    expect(get.body.equals(bytes)).toBe(true);

    const head = await raw(url, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toBe('image/png');
    expect(head.headers['content-length']).toBe(String(bytes.length));
    expect(head.headers['x-content-type-options']).toBe('nosniff');
    expect(head.body.length).toBe(0);
  });

  it('answers 404 in the contract shape for unknown names, other folders, listings and traversal', async () => {
    const name = url.split('/').pop()!;
    writeFileSync(path.join(s.dir, 'secret.txt'), 'top secret');
    const attempts = [
      `/uploads/avatars/${name}`, // right name, wrong folder
      '/uploads/chat-images/AAAAAAAAAAAAAAAAAAAAAA.png', // right shape, unknown
      `/uploads/chat-images/${name.replace('.png', '.gif')}`,
      `/uploads/chat-images/${name}x`,
      `/uploads/chat-images/${name}/`,
      `/uploads/chat-images/${name}%00.png`,
      '/uploads/chat-images/',
      '/uploads/chat-images',
      '/uploads/',
      '/uploads/tmp/x',
      '/uploads/avatars/../../chat.db',
      '/uploads/chat-images/../../secret.txt',
      '/uploads/../secret.txt',
      '/uploads/chat-images/..%2f..%2fsecret.txt',
      '/uploads/chat-images/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/uploads/chat-images/%2e%2e/%2e%2e/secret.txt',
      '/uploads/chat-images/..%5c..%5csecret.txt',
      '/uploads/chat-images/..\\..\\secret.txt',
      '/uploads/chat-images/%252e%252e%252fsecret.txt',
      '/uploads/chat-images/%2fetc%2fpasswd',
      '/uploads/chat-images//etc/passwd',
      `/uploads/chat-images/${encodeURIComponent(path.join(s.dir, 'secret.txt'))}`,
      '/uploads/%2e%2e/secret.txt',
      '/uploads/chat-images/%E0%A4%A',
    ];
    for (const p of attempts) {
      const res = await raw(p);
      expect({ p, status: res.status }).toEqual({ p, status: 404 });
      expect(JSON.parse(res.body.toString()).error.code).toBe('not_found');
      expect(res.body.toString()).not.toContain('top secret');
    }
  });

  it('serves only names recorded in the uploads table, not files merely on disk', async () => {
    const planted = 'BBBBBBBBBBBBBBBBBBBBBB.png';
    mkdirSync(path.join(s.dir, 'uploads', 'chat-images'), { recursive: true });
    writeFileSync(path.join(s.dir, 'uploads', 'chat-images', planted), makePng(1, 1));
    expect((await raw(`/uploads/chat-images/${planted}`)).status).toBe(404);
  });
});
