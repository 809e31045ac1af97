import http from 'node:http';
import { afterAll, beforeAll, beforeEach, expect, vi, type MockInstance } from 'vitest';
import { finalizeEvent } from 'nostr-tools/pure';
import { startTestServer, type TestServer } from '../../test/testServer.js';

/** Shared setup of the Nostr sign-in tests: a server, a spy on its log, signing helpers. */

export const ORIGIN = 'http://chat.test';
export const VERIFY_URL = `${ORIGIN}/api/auth/nostr/verify`;
export const LINK_URL = `${ORIGIN}/api/auth/nostr/link`;
export const nowSec = () => Math.floor(Date.now() / 1000);

/** Registers the server's lifecycle hooks in the calling test file and returns its helpers. */
export function useNostrServer() {
  const ctx = { s: undefined as unknown as TestServer, info: undefined as unknown as MockInstance };
  beforeAll(async () => {
    ctx.s = await startTestServer({ PUBLIC_URL: ORIGIN });
    ctx.info = vi.spyOn(ctx.s.deps.logger as any, 'info');
  });
  afterAll(async () => {
    await ctx.s.stop();
  });
  beforeEach(() => ctx.info.mockClear());

  const challenge = async function challenge(): Promise<string> {
    const res = await ctx.s.api('POST', '/api/auth/nostr/challenge');
    expect(res.status).toBe(200);
    return res.body.challenge;
  }

  /** A signed event as a client would send it (JSON round trip, so no nostr-tools cache flag survives). */
  const sign = function sign(sk: Uint8Array, ch: string, over: { kind?: number; tags?: string[][]; created_at?: number; content?: string; url?: string } = {}): any {
    const ev = finalizeEvent(
      {
        kind: over.kind ?? 27235,
        created_at: over.created_at ?? nowSec(),
        content: over.content ?? '',
        tags: over.tags ?? [['u', over.url ?? VERIFY_URL], ['method', 'POST'], ['challenge', ch]],
      },
      sk,
    );
    return JSON.parse(JSON.stringify(ev));
  }

  const profileEvent = function profileEvent(sk: Uint8Array, content: unknown, over: { kind?: number; created_at?: number } = {}): any {
    const ev = finalizeEvent({ kind: over.kind ?? 0, created_at: over.created_at ?? nowSec() - 3600, tags: [], content: JSON.stringify(content) }, sk);
    return JSON.parse(JSON.stringify(ev));
  }

  const verify = (body: unknown) => ctx.s.api('POST', '/api/auth/nostr/verify', { body });

  /** The logged reason of the last refusal (the client only ever sees the generic 401). */
  const loggedReason = function loggedReason(): string | undefined {
    const calls = ctx.info.mock.calls.filter((c) => c[1] === 'nostr auth rejected');
    return (calls.at(-1)?.[0] as { reason?: string } | undefined)?.reason;
  }

  const expectRejected = function expectRejected(res: { status: number; body: any }, reason: string): void {
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({ code: 'nostr_auth_failed', message: 'Nostr sign-in failed' });
    expect(loggedReason()).toBe(reason);
  }
  /** POST with raw node:http so Host can be set (fetch does not allow overriding it). */
  const rawPost = function rawPost(pathname: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${ctx.s.url}${pathname}`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return { ctx, challenge, sign, profileEvent, verify, loggedReason, expectRejected, rawPost };
}
