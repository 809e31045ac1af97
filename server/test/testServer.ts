import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config.js';
import { createLogger } from '../lib/logger.js';
import { startServer, type RunningServer } from '../server.js';

export interface TestServer extends RunningServer {
  dir: string;
  /** JSON request helper: returns status, parsed body and headers. */
  api<T = any>(method: string, pathname: string, opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  /** Registers a user (unique name by default) and returns its token and user. */
  register(username?: string, password?: string): Promise<{ token: string; user: any }>;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts a real server on port 0 with a temp SQLite file and directories. */
export async function startTestServer(env: Record<string, string> = {}, opts: { dir?: string } = {}): Promise<TestServer> {
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), 'chat-test-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      BIND_ADDR: '127.0.0.1:0',
      DATABASE_URL: `sqlite:${path.join(dir, 'chat.db')}`,
      JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
      UPLOAD_DIR: path.join(dir, 'uploads'),
      BACKUP_DIR: path.join(dir, 'backups'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      AUTH_RATE_LIMIT: '100000',
      API_RATE_LIMIT: '1000000',
      UPLOAD_RATE_LIMIT: '1000000',
      PUBLIC_URL: 'http://chat.test',
      ...env,
    },
    { cwd: dir },
  );
  const server = await startServer(config, createLogger(config.logLevel));
  const api: TestServer['api'] = async (method, pathname, o = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    let body: string | undefined = o.raw;
    if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] = 'application/json';
    } else if (o.raw !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(server.url + pathname, { method, headers, body });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    ...server,
    dir,
    api,
    async register(username, password = 'correct horse battery') {
      const name = username ?? `user${process.pid}_${++counter}`;
      const res = await api('POST', '/api/auth/register', { body: { username: name, password } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async stop() {
      await server.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
