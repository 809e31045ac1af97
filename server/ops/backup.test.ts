import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../test/testServer.js';
import { restoreDatabase } from './restore.js';

describe('startup backups and migrations', () => {
  it('migrates an empty database, is idempotent on restart, backs up on each start and keeps the newest N', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-backup-'));
    const env = { BACKUP_KEEP: '3' };
    let s = await startTestServer(env, { dir });
    const { token } = await s.register('keeper');
    await s.stop();
    expect(existsSync(path.join(dir, 'backups'))).toBe(false); // first start: nothing to back up

    for (let i = 0; i < 5; i++) {
      s = await startTestServer(env, { dir });
      expect((await s.api('GET', '/api/auth/me', { token })).status).toBe(200);
      await s.stop();
    }
    const backups = readdirSync(path.join(dir, 'backups')).sort();
    expect(backups).toHaveLength(3);
    const newest = new BetterSqlite3(path.join(dir, 'backups', backups[2]), { readonly: true });
    expect(newest.prepare('SELECT username FROM users').all()).toEqual([{ username: 'keeper' }]);
    const applied = newest.prepare('SELECT name FROM kysely_migration ORDER BY name').all();
    newest.close();
    expect(applied.length).toBeGreaterThanOrEqual(5);
  });

  it('refuses to start when the backup cannot be written', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-backup-'));
    const s = await startTestServer({}, { dir });
    await s.stop();
    writeFileSync(path.join(dir, 'not-a-dir'), 'x');
    await expect(startTestServer({ BACKUP_DIR: path.join(dir, 'not-a-dir', 'sub') }, { dir })).rejects.toThrow(/backup failed/i);
  });

  it('restores a backup only while no server holds the database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'chat-restore-'));
    let s = await startTestServer({}, { dir });
    await s.register('before');
    await s.stop();
    s = await startTestServer({}, { dir });
    const backup = path.join(dir, 'backups', readdirSync(path.join(dir, 'backups'))[0]);
    await s.register('after');
    const dbFile = path.join(dir, 'chat.db');
    await expect(restoreDatabase(backup, dbFile, path.join(dir, 'backups'), 10)).rejects.toThrow(/stop it before restoring/);
    await s.stop();
    await restoreDatabase(backup, dbFile, path.join(dir, 'backups'), 10);
    s = await startTestServer({}, { dir });
    expect((await s.api('POST', '/api/auth/login', { body: { username: 'before', password: 'correct horse battery' } })).status).toBe(200);
    expect((await s.api('POST', '/api/auth/login', { body: { username: 'after', password: 'correct horse battery' } })).status).toBe(401);
    await s.stop();
  });
});
