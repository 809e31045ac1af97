import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkConfig } from './checkConfig.js';

describe('checkConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'chat-check-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const prod = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'production',
    JWT_SECRET: 'x'.repeat(40),
    OPENROUTER_API_KEY: 'sk-or-test',
    PUBLIC_URL: 'https://chat.example.com',
    DATABASE_URL: `sqlite:${path.join(dir, 'chat.db')}`,
    ...extra,
  });

  it('lists every missing production variable at once', () => {
    const r = checkConfig({ NODE_ENV: 'production', DATABASE_URL: `sqlite:${path.join(dir, 'chat.db')}` }, { cwd: dir });
    expect(r.ok).toBe(false);
    const text = r.problems.join('\n');
    expect(text).toContain('JWT_SECRET');
    expect(text).toContain('OPENROUTER_API_KEY');
    expect(text).toContain('PUBLIC_URL');
  });

  it('accepts a complete production configuration and summarises it without secrets', () => {
    const r = checkConfig(prod(), { cwd: dir });
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.summary.join('\n')).toContain('mode: production');
    expect(r.summary.join('\n')).not.toContain('sk-or-test');
    expect(r.summary.join('\n')).not.toContain('x'.repeat(40));
  });

  it('requires the built client when STATIC_DIR is set', () => {
    const dist = path.join(dir, 'dist');
    mkdirSync(dist);
    const missing = checkConfig(prod({ STATIC_DIR: dist }), { cwd: dir });
    expect(missing.ok).toBe(false);
    expect(missing.problems.join('\n')).toMatch(/STATIC_DIR: .* has no index\.html/);
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html>');
    expect(checkConfig(prod({ STATIC_DIR: dist }), { cwd: dir }).ok).toBe(true);
  });
});
