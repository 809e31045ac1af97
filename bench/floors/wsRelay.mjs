// Floor: a bare `ws` relay speaking the subset of our protocol the generator uses (join_room,
// send_message → message_ack + one broadcast frame per room, ping, stop_ai). Options:
//   --persist <file>   better-sqlite3 autocommit insert per message (WAL + synchronous=NORMAL)
//   --llm <baseUrl>    '@ai' in a message streams <baseUrl>/chat/completions to the room as ai_chunk
//   --argon2-per-s N   hash N passwords per second in-process (OWASP profile, no confinement)
// GET /health answers 200; GET /__stats?gc=1 reports memory after a GC (run with --expose-gc).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { WebSocketServer } from 'ws';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({ options: { port: { type: 'string' }, persist: { type: 'string' }, llm: { type: 'string' }, 'argon2-per-s': { type: 'string' } } });
const rooms = new Map(); // roomId -> {seq, sockets:Set, abort}
const room = (id) => rooms.get(id) ?? rooms.set(id, { seq: 0, sockets: new Set(), abort: null }).get(id);

let insert = null;
if (opt.persist) {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(opt.persist);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS messages (id TEXT PRIMARY KEY, room_id TEXT NOT NULL, seq INTEGER NOT NULL, author_id TEXT, content TEXT NOT NULL, client_id TEXT, created_at TEXT NOT NULL); CREATE UNIQUE INDEX IF NOT EXISTS messages_room_seq ON messages(room_id, seq);');
  insert = db.prepare('INSERT INTO messages (id, room_id, seq, author_id, content, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
}
if (opt['argon2-per-s']) {
  const { default: argon2 } = await import('argon2');
  const perS = Number(opt['argon2-per-s']);
  setInterval(() => void argon2.hash('correct horse battery', { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 }), 1000 / perS);
}

function broadcast(r, text) {
  for (const s of r.sockets) if (s.readyState === 1) s.send(text);
}

async function relayLlm(roomId, r) {
  const streamId = randomBytes(8).toString('hex');
  const ctl = new AbortController();
  r.abort = ctl;
  let index = 0;
  broadcast(r, JSON.stringify({ type: 'ai_typing', roomId, streamId, model: 'bench', requestedBy: null }));
  try {
    const res = await fetch(`${opt.llm}/chat/completions`, {
      method: 'POST', signal: ctl.signal, headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] }),
    });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body) {
      buf += decoder.decode(chunk, { stream: true });
      let at;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(0, at);
        buf = buf.slice(at + 2);
        if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
        const delta = JSON.parse(event.slice(6)).choices?.[0]?.delta?.content;
        if (delta) broadcast(r, JSON.stringify({ type: 'ai_chunk', roomId, streamId, index: ++index, delta }));
      }
    }
  } catch {
    /* aborted */
  }
  r.abort = null;
  broadcast(r, JSON.stringify({ type: 'ai_stream_end', roomId, streamId, message: null, error: null }));
}

function onFrame(ws, text) {
  const f = JSON.parse(text);
  if (f.type === 'send_message') {
    const r = room(f.roomId);
    const message = {
      id: randomBytes(16).toString('base64url'), roomId: f.roomId, seq: ++r.seq, role: 'user', author: { id: ws.userId },
      content: f.content, replyTo: null, attachments: [], createdAt: new Date().toISOString(), editedAt: null, ai: null,
    };
    insert?.run(message.id, f.roomId, message.seq, ws.userId, f.content, f.clientId ?? null, message.createdAt);
    ws.send(JSON.stringify({ type: 'message_ack', clientId: f.clientId ?? null, message }));
    broadcast(r, JSON.stringify({ type: 'message', roomId: f.roomId, seq: message.seq, message }));
    if (opt.llm && /@ai\b/.test(f.content) && !r.abort) void relayLlm(f.roomId, r);
  } else if (f.type === 'join_room') {
    room(f.roomId).sockets.add(ws);
    (ws.rooms ??= []).push(f.roomId);
    ws.send(JSON.stringify({ type: 'room_joined', roomId: f.roomId, lastSeq: room(f.roomId).seq, replayed: [], resync: false, typing: [], aiStreams: [] }));
  } else if (f.type === 'stop_ai') rooms.get(f.roomId)?.abort?.abort();
  else if (f.type === 'ping') ws.send('{"type":"pong"}');
}

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/__stats')) {
    if (req.url.includes('gc=1') && global.gc) global.gc();
    res.setHeader('content-type', 'application/json');
    return res.end(JSON.stringify({ memory: process.memoryUsage(), cpu: process.cpuUsage() }));
  }
  res.end(req.url === '/health' ? 'ok' : 'floor');
});
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname !== '/ws') return socket.destroy();
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.userId = url.searchParams.get('token') ?? 'anon';
    ws.on('message', (data) => onFrame(ws, data.toString()));
    ws.on('close', () => {
      for (const id of ws.rooms ?? []) rooms.get(id)?.sockets.delete(ws);
    });
  });
});
server.listen(Number(opt.port ?? 0), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
