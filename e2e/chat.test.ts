import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenRouter, streamScript, type FakeOpenRouter } from '../server/test/fakeOpenRouter.js';
import { startTestServer, type TestServer } from '../server/test/testServer.js';
import { makePng } from '../server/modules/uploads/testImages.js';
import { launchChromium, watchProblems } from './browser.js';

/**
 * The whole product in a real browser: the built client served by the real server (STATIC_DIR),
 * the assistant answering through a local fake OpenRouter. Two users in two browser contexts
 * register, create a room, invite by link, talk, watch the assistant stream, and stop it.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'client', 'dist');
const artifacts = path.join(repo, 'artifacts');
const REPLY = ['Hello ', 'from ', 'the ', '**assistant**', ', streaming', ' live!'];

describe('web client end to end', () => {
  let fake: FakeOpenRouter;
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const watched: string[][] = [];

  beforeAll(async () => {
    execFileSync(path.join(repo, 'node_modules', '.bin', 'vite'), ['build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
    fake = await startFakeOpenRouter();
    fake.handle((req) => {
      const last = JSON.stringify(req.body?.messages?.at(-1)?.content ?? '');
      if (last.includes('medium tale')) return streamScript({ text: Array.from({ length: 30 }, (_, i) => `tale${i} `), chunkDelayMs: 120 });
      if (last.includes('long story')) return streamScript({ text: Array.from({ length: 80 }, (_, i) => `part${i} `), chunkDelayMs: 200 });
      return streamScript({ text: REPLY, chunkDelayMs: 250 });
    });
    server = await startTestServer({
      STATIC_DIR: dist,
      OPENROUTER_API_KEY: 'sk-test-key',
      OPENROUTER_BASE_URL: fake.baseUrl,
      AI_MODEL: 'test/e2e-model',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
    await fake?.stop();
  });

  async function newUser(name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    watched.push(watchProblems(page, name));
    return page;
  }

  async function register(page: Page, username: string): Promise<void> {
    await page.getByRole('button', { name: 'Create one' }).click();
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Register' }).click();
  }

  async function send(page: Page, text: string): Promise<void> {
    await page.getByLabel('Message', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send' }).click();
  }

  /** Cuts a user's WebSocket connections from the server side, as a network loss would. */
  function dropSockets(userId: string): number {
    let n = 0;
    for (const client of [...server.deps.realtime.hub.allClients()]) {
      if (client.userId !== userId) continue;
      (client.socket as unknown as { terminate(): void }).terminate();
      n++;
    }
    return n;
  }

  const messageWith = (page: Page, text: string) => page.locator('article.msg:not(.streaming)', { hasText: text });

  it('registers two users, invites by link, chats, and streams the assistant to both', async () => {
    const alice = await newUser('alice');
    const bob = await newUser('bob');

    // Alice registers and creates a room.
    await alice.goto(server.url + '/');
    await register(alice, 'alice');
    await alice.getByRole('heading', { name: 'Welcome, alice' }).waitFor();
    await alice.getByRole('button', { name: 'New room' }).click();
    await alice.getByLabel('Room name').fill('Team room');
    await alice.getByRole('button', { name: 'Create', exact: true }).click();
    await alice.getByRole('heading', { name: 'Team room' }).waitFor();
    expect(new URL(alice.url()).pathname).toMatch(/^\/rooms\//);

    // She creates an invite link.
    await alice.getByRole('button', { name: /^Members/ }).click();
    await alice.getByRole('button', { name: 'Create invite link' }).click();
    const link = await alice.getByLabel('Invite link', { exact: true }).inputValue();
    expect(link).toMatch(new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{16,}$`));
    await alice.getByRole('button', { name: 'Close members' }).click();

    // Bob opens the link signed out: preview, register on the spot, accept.
    await bob.goto(link);
    await bob.getByText('You are invited to').waitFor();
    expect(await bob.locator('.invite-screen strong').first().textContent()).toBe('Team room');
    await register(bob, 'bob');
    await bob.getByRole('button', { name: 'Join Team room' }).click();
    await bob.getByRole('heading', { name: 'Team room' }).waitFor();
    await alice.getByRole('button', { name: 'Members (2)' }).waitFor(); // member_joined, live

    // Messages both ways, live; typing indicator.
    await send(alice, 'Hi Bob, welcome!');
    await messageWith(bob, 'Hi Bob, welcome!').waitFor();
    await bob.getByLabel('Message', { exact: true }).pressSequentially('Hi Al');
    await alice.getByText('bob is typing…').waitFor();
    await bob.getByLabel('Message', { exact: true }).pressSequentially('ice');
    await bob.getByRole('button', { name: 'Send' }).click();
    await messageWith(alice, 'Hi Alice').waitFor();
    await alice.getByText('bob is typing…').waitFor({ state: 'hidden' });

    // Bob attaches an image: uploaded first, sent as an attachment, shown to Alice.
    await bob.locator('.composer input[type=file]').setInputFiles({ name: 'chart.png', mimeType: 'image/png', buffer: makePng(40, 30) });
    await bob.getByRole('img', { name: 'Image to send' }).waitFor();
    await send(bob, 'Look at this chart');
    const image = messageWith(alice, 'Look at this chart').locator('.attachments img');
    await image.waitFor();
    expect(await image.getAttribute('src')).toMatch(/^\/uploads\/chat-images\//);
    await alice.waitForFunction((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth === 40, await image.elementHandle());

    // Alice mentions the assistant: both windows see the reply stream in, then the stored reply.
    await send(alice, '@ai please say hello to everyone');
    for (const page of [alice, bob]) {
      await page.locator('article.streaming', { hasText: 'Hello' }).waitFor();
      await page.getByRole('button', { name: 'Stop' }).waitFor();
    }
    for (const page of [alice, bob]) {
      const stored = page.locator('article.msg.assistant:not(.streaming)', { hasText: 'Hello from the assistant, streaming live!' });
      await stored.waitFor();
      expect(await stored.locator('.md strong').textContent()).toBe('assistant'); // Markdown rendered
      await page.locator('article.streaming').waitFor({ state: 'detached' });
    }
    const asked = fake.chatRequests.at(-1)!.body.messages.at(-1).content;
    expect(JSON.stringify(asked)).toContain('please say hello to everyone');

    mkdirSync(artifacts, { recursive: true });
    await alice.screenshot({ path: path.join(artifacts, 'e2e-room.png') });

    // A long reply, stopped by Bob: the partial text is kept and marked as stopped in both windows.
    await send(alice, '@ai tell us a long story');
    await bob.locator('article.streaming', { hasText: 'part3' }).waitFor();
    await bob.getByRole('button', { name: 'Stop' }).click();
    for (const page of [alice, bob]) {
      await page.locator('article.msg.assistant', { hasText: 'Stopped before the end.' }).waitFor();
      await page.getByRole('button', { name: 'Stop' }).waitFor({ state: 'detached' });
    }

    // Bob's connection drops in the middle of a reply while Alice keeps writing: the client
    // reconnects, rejoins with its cursor, resumes the stream from the snapshot (no repeated or
    // missing chunks) and gets the messages it missed exactly once.
    const token = (page: Page) => page.evaluate(() => localStorage.getItem('chat.token')) as Promise<string>;
    const bobId = (await server.api('GET', '/api/auth/me', { token: await token(bob) })).body.user.id as string;
    const roomId = new URL(alice.url()).pathname.split('/')[2];
    await send(alice, '@ai tell a medium tale');
    await bob.locator('article.streaming', { hasText: 'tale2 ' }).waitFor();
    expect(dropSockets(bobId)).toBeGreaterThan(0);
    for (const content of ['Missed while offline 1', 'Missed while offline 2']) {
      const res = await server.api('POST', `/api/rooms/${roomId}/messages`, { token: await token(alice), body: { content } });
      expect(res.status).toBe(201);
    }
    await bob.locator('article.streaming', { hasText: 'tale14 ' }).waitFor();
    const partial = (await bob.locator('article.streaming .md').textContent())!.trim().split(/\s+/);
    expect(partial).toEqual(partial.map((_, i) => `tale${i}`));
    const tale = Array.from({ length: 30 }, (_, i) => `tale${i}`).join(' ');
    await messageWith(bob, tale).waitFor();
    await bob.locator('article.streaming').waitFor({ state: 'detached' });
    for (const text of ['Missed while offline 1', 'Missed while offline 2', tale]) expect(await messageWith(bob, text).count(), text).toBe(1);

    // Bob steps away (leaves the room's live feed), Alice writes, Bob comes back: the missed
    // message is replayed exactly once, and the room was marked unread meanwhile.
    await bob.getByRole('button', { name: 'Your profile' }).click();
    await bob.getByRole('heading', { name: 'Your profile' }).waitFor();
    await send(alice, 'Written while Bob was away');
    await bob.locator('.rooms .unread').waitFor();
    await bob.getByRole('link', { name: /Team room/ }).click();
    await messageWith(bob, 'Written while Bob was away').waitFor();
    expect(await messageWith(bob, 'Written while Bob was away').count()).toBe(1);
    expect(await messageWith(bob, 'Hi Bob, welcome!').count()).toBe(1);

    // Bob sets an avatar from his profile.
    await bob.getByRole('button', { name: 'Your profile' }).click();
    await bob.locator('.profile input[type=file]').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng(64, 64) });
    await bob.getByText('Avatar updated.').waitFor();
    expect(await bob.locator('.sidebar .me img.avatar').getAttribute('src')).toMatch(/^\/uploads\/avatars\//);
    await bob.getByRole('link', { name: /Team room/ }).click();

    // Reload keeps the session (token in localStorage) and the history.
    await bob.reload();
    await messageWith(bob, 'Written while Bob was away').waitFor();

    expect(watched.flat()).toEqual([]);
  });

  it('ships HTML without inline scripts or styles (the CSP forbids them)', () => {
    const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
  });
});
