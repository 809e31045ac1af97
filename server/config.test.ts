import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDatabaseUrl, parseDotenv } from './config.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'chat-config-'));

describe('config', () => {
  it('has safe development defaults and persists a generated JWT secret', () => {
    const cwd = tmp();
    const c = loadConfig({}, { cwd });
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(3001);
    expect(c.databasePath).toBe(path.join(cwd, 'chat.db'));
    expect(c.backupKeep).toBe(10);
    expect(c.searchProvider).toBe('none');
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(path.join(cwd, 'chat.db.jwt-secret'), 'utf8')).toBe(c.jwtSecret);
    expect(loadConfig({}, { cwd }).jwtSecret).toBe(c.jwtSecret);
    expect(c.warnings.some((w) => w.includes('OPENROUTER_API_KEY'))).toBe(true);
  });

  it('accepts sqlite: URLs, the ?mode=rwc suffix and plain paths', () => {
    expect(parseDatabaseUrl('sqlite:chat.db')).toBe('chat.db');
    expect(parseDatabaseUrl('sqlite://data/chat.db?mode=rwc')).toBe('data/chat.db');
    expect(parseDatabaseUrl('sqlite:/var/lib/chat.db?mode=rwc')).toBe('/var/lib/chat.db');
    expect(parseDatabaseUrl('/srv/chat.db')).toBe('/srv/chat.db');
  });

  it('parses .env text', () => {
    expect(parseDotenv('# c\nA=1\nexport B="two words"\nC=x # note\n\nbad line')).toEqual({ A: '1', B: 'two words', C: 'x' });
  });

  it('reports every production problem at once', () => {
    let err: ConfigError | null = null;
    try {
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', SEARCH_PROVIDER: 'brave', BIND_ADDR: 'nope', BACKUP_KEEP: '-1' }, { cwd: tmp() });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    for (const v of ['JWT_SECRET', 'OPENROUTER_API_KEY', 'BRAVE_API_KEY', 'BIND_ADDR', 'BACKUP_KEEP', 'PUBLIC_URL']) expect(text).toContain(v);
    expect(err!.problems.length).toBeGreaterThanOrEqual(6);
  });

  it('accepts a complete production configuration', () => {
    const c = loadConfig(
      {
        NODE_ENV: 'production',
        JWT_SECRET: 'x'.repeat(40),
        OPENROUTER_API_KEY: 'sk-test',
        PUBLIC_URL: 'https://chat.example.com/',
        SEARCH_PROVIDER: 'tavily',
        TAVILY_API_KEY: 'tvly-x',
        BIND_ADDR: '127.0.0.1:8080',
        JWT_TTL: '12h',
      },
      { cwd: tmp() },
    );
    expect(c.publicUrl).toBe('https://chat.example.com');
    expect(c.jwtTtlSeconds).toBe(43200);
    expect(c.port).toBe(8080);
  });

  it('rejects unknown enum values', () => {
    expect(() => loadConfig({ SEARCH_PROVIDER: 'google', LOG_LEVEL: 'loud' }, { cwd: tmp() })).toThrow(/SEARCH_PROVIDER[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*SEARCH_PROVIDER/);
  });
});
