// Floor: a raw Koa 3 + @koa/router app on the same paths as ours, without auth, validation,
// Kysely or presenters. GET /hello; GET /api/rooms/:id/messages?before=&limit= (one prepared
// keyset statement on --db); POST /api/rooms/:id/messages (autocommit insert into --write).
import Koa from 'koa';
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { port: { type: 'string' }, db: { type: 'string' }, write: { type: 'string' } } });
const router = new Router();
router.get('/hello', (ctx) => {
  ctx.body = 'hello';
});
router.get('/health', (ctx) => {
  ctx.body = 'ok';
});

if (opt.db) {
  const db = new Database(opt.db, { readonly: true });
  const page = db.prepare('SELECT id, room_id, seq, role, author_id, content, reply_to, hash, client_id, created_at, edited_at, ai FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
  router.get('/api/rooms/:id/messages', (ctx) => {
    const limit = Math.min(200, Number(ctx.query.limit ?? 50));
    const before = ctx.query.before ? Number(ctx.query.before) : Number.MAX_SAFE_INTEGER;
    const rows = page.all(ctx.params.id, before, limit + 1);
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit).reverse().map((r) => ({
      id: r.id, roomId: r.room_id, seq: r.seq, role: r.role, author: r.author_id ? { id: r.author_id } : null, content: r.content,
      replyTo: r.reply_to, attachments: [], hash: r.hash, createdAt: r.created_at, editedAt: r.edited_at, ai: r.ai ? JSON.parse(r.ai) : null,
    }));
    ctx.body = { messages, hasMore };
  });
}

if (opt.write) {
  const db = new Database(opt.write);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL, author_id TEXT, content TEXT NOT NULL, created_at TEXT NOT NULL); CREATE UNIQUE INDEX IF NOT EXISTS messages_room_seq ON messages(room_id, seq);');
  const insert = db.prepare('INSERT INTO messages (id, room_id, seq, author_id, content, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const seqs = new Map();
  router.post('/api/rooms/:id/messages', (ctx) => {
    const content = ctx.request.body?.content;
    if (typeof content !== 'string' || !content.trim()) ctx.throw(400, 'content');
    const seq = (seqs.get(ctx.params.id) ?? 0) + 1;
    seqs.set(ctx.params.id, seq);
    const message = { id: randomBytes(16).toString('base64url'), roomId: ctx.params.id, seq, role: 'user', content, createdAt: new Date().toISOString() };
    insert.run(message.id, message.roomId, seq, 'floor', content, message.createdAt);
    ctx.status = 201;
    ctx.body = { message };
  });
}

const app = new Koa();
app.use(koaBody({ jsonLimit: '64kb' }));
app.use(router.routes()).use(router.allowedMethods());
app.listen(Number(opt.port ?? 0), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
