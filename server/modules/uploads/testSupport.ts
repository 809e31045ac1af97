import path from 'node:path';
import type { TestServer } from '../../test/testServer.js';

/** Test-only multipart helpers for the upload tests (nothing in the server imports this). */

export type FormPart = { field?: string; data: Buffer | string; filename?: string; type?: string };

/** Multipart POST through fetch's own FormData encoder. A part without filename is a text field. */
export async function postForm(server: TestServer, pathname: string, token: string | undefined, parts: FormPart[]) {
  const form = new FormData();
  for (const p of parts) {
    if (p.filename === undefined) form.append(p.field ?? 'file', String(p.data));
    else form.append(p.field ?? 'file', new Blob([typeof p.data === 'string' ? p.data : new Uint8Array(p.data)], { type: p.type ?? 'application/octet-stream' }), p.filename);
  }
  const res = await fetch(server.url + pathname, { method: 'POST', body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

/** POST /api/upload with one file. */
export const uploadImage = (server: TestServer, token: string, data: Buffer, filename = 'image.png', type = 'image/png') =>
  postForm(server, '/api/upload', token, [{ data, filename, type }]);

/** POST /api/auth/avatar with one file. */
export const uploadAvatar = (server: TestServer, token: string, data: Buffer) =>
  postForm(server, '/api/auth/avatar', token, [{ data, filename: 'me.png', type: 'image/png' }]);

/** Where a served URL's file lives on disk. */
export const diskPath = (server: TestServer, url: string) => path.join(server.dir, 'uploads', ...url.replace(/^\/uploads\//, '').split('/'));

/** Pads a file with zero bytes up to an exact size (headers are all the server reads). */
export const padTo = (b: Buffer, size: number) => Buffer.concat([b, Buffer.alloc(size - b.length)]);
