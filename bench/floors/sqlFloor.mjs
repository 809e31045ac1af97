// Floor: raw better-sqlite3 timings, printed as one JSON object on stdout.
//   --db <file> --room <id>   keyset page queries (newest, random cursor, walk back, OFFSET anti-pattern)
//   --insert <file> --rows N  autocommit insert rate with WAL + synchronous=NORMAL
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { Histogram } from '../lib/hist.mjs';
import { nowUs } from '../lib/clock.mjs';

const { values: opt } = parseArgs({ options: { db: { type: 'string' }, room: { type: 'string' }, insert: { type: 'string' }, rows: { type: 'string' }, pages: { type: 'string' } } });
const out = {};
const timed = (h, fn) => {
  const t = nowUs();
  const r = fn();
  h.record(nowUs() - t);
  return r;
};

if (opt.db) {
  const db = new Database(opt.db, { readonly: true });
  const n = db.prepare('SELECT max(seq) AS n FROM messages WHERE room_id = ?').get(opt.room).n;
  const page = db.prepare('SELECT * FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT 50');
  const pages = Number(opt.pages ?? 2000);
  const newest = new Histogram(), random = new Histogram(), walk = new Histogram(), offset = new Histogram();
  for (let i = 0; i < pages; i++) timed(newest, () => page.all(opt.room, Number.MAX_SAFE_INTEGER));
  for (let i = 0; i < pages; i++) timed(random, () => page.all(opt.room, 51 + Math.floor(Math.random() * (n - 50))));
  let cursor = n + 1;
  for (let i = 0; i < Math.min(pages, Math.floor(n / 50) - 1); i++) cursor = timed(walk, () => page.all(opt.room, cursor)).at(-1).seq;
  const off = db.prepare('SELECT * FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 50 OFFSET ?');
  for (let i = 0; i < 10; i++) timed(offset, () => off.all(opt.room, Math.floor(n * 0.9)));
  const plan = db.prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT 50').all('x', 1).map((r) => r.detail);
  Object.assign(out, { rows: n, newest: newest.summary(), random: random.summary(), walk: walk.summary(), offset90: offset.summary(), plan });
}

if (opt.insert) {
  const db = new Database(opt.insert);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE messages (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL); CREATE UNIQUE INDEX messages_room_seq ON messages(room_id, seq);');
  const ins = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?)');
  const rows = Number(opt.rows ?? 20000);
  const content = 'x'.repeat(100);
  const t = nowUs();
  for (let i = 0; i < rows; i++) ins.run(`m${i}`, 'r1', i, content, new Date().toISOString());
  out.insertAutocommitPerSec = Math.round(rows / ((nowUs() - t) / 1e6));
  const t2 = nowUs();
  const tx = db.transaction((base) => {
    for (let i = 0; i < 100; i++) ins.run(`t${base + i}`, 'r2', base + i, content, new Date().toISOString());
  });
  for (let b = 0; b < rows; b += 100) tx(b);
  out.insertTx100RowsPerSec = Math.round(rows / ((nowUs() - t2) / 1e6));
  out.sqliteVersion = db.prepare('SELECT sqlite_version() AS v').get().v;
}
console.log(JSON.stringify(out));
