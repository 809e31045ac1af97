import Database from 'better-sqlite3';
import jwt from 'jsonwebtoken';
import { JWT_SECRET } from './server.mjs';

// Seeds a database the server has already migrated (tables from migrations/), directly with
// better-sqlite3 in big transactions, while the server is stopped. Ids are bench-made opaque
// strings; tokens are minted like server/modules/auth/tokens.ts (HS256, sub = user id) so no
// argon2 runs on the setup path.
const BASE_TIME = Date.parse('2026-01-01T00:00:00.000Z');

/** The id of seeded user i. */
export const userId = (i) => `bu${String(i).padStart(6, '0')}`;

/** A session token for seeded user i (what login would return). */
export const tokenFor = (i) => jwt.sign({}, JWT_SECRET, { algorithm: 'HS256', subject: userId(i), expiresIn: 86400 });

export function openSeedDb(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  db.pragma('foreign_keys = OFF');
  return db;
}

export function seedUsers(db, count) {
  const now = new Date(BASE_TIME).toISOString();
  const ins = db.prepare('INSERT OR IGNORE INTO users (id, username, username_lower, display_name, password_hash, nostr_pubkey, avatar_url, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, NULL, NULL, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) ins.run(userId(i), `bench_${i}`, `bench_${i}`, `Bench ${i}`, now, now);
  })();
}

/** Creates a room owned by its first member; memberIdx = seeded user indexes. */
export function seedRoom(db, id, memberIdx, { lastSeq = 0 } = {}) {
  const now = new Date(BASE_TIME).toISOString();
  db.prepare(
    "INSERT INTO rooms (id, name, description, visibility, created_by, created_at, updated_at, last_seq, last_activity_at, ai_mode, ai_model, system_prompt, web_search) VALUES (?, ?, '', 'private', ?, ?, ?, ?, ?, 'mention', NULL, NULL, 0)",
  ).run(id, `Bench ${id}`, userId(memberIdx[0]), now, now, lastSeq, now);
  const ins = db.prepare('INSERT INTO room_members (room_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)');
  db.transaction(() => memberIdx.forEach((u, k) => ins.run(id, userId(u), k === 0 ? 'owner' : 'member', now)))();
}

/** Appends `count` user messages to a room (seq 1..count) in 10k-row transactions. */
export function seedMessages(db, roomId, count, authors, { tag = roomId } = {}) {
  const ins = db.prepare("INSERT INTO messages (id, room_id, seq, role, author_id, content, reply_to, hash, client_id, created_at, edited_at, ai) VALUES (?, ?, ?, 'user', ?, ?, NULL, ?, NULL, ?, NULL, NULL)");
  const content = 'History message from the benchmark seed, about a hundred bytes long so pages weigh like chat ';
  const batch = db.transaction((from, to) => {
    for (let s = from; s <= to; s++) {
      const n = `${tag}:${s}`;
      ins.run(`m${n}`, roomId, s, userId(authors[s % authors.length]), content + s, Buffer.from(n).toString('hex').padStart(64, '0').slice(-64), new Date(BASE_TIME + s * 1000).toISOString());
    }
  });
  for (let from = 1; from <= count; from += 10000) batch(from, Math.min(count, from + 9999));
  db.prepare('UPDATE rooms SET last_seq = ? WHERE id = ?').run(count, roomId);
}

const range = (from, n) => Array.from({ length: n }, (_, i) => from + i);
export { range };
