// Lean WebSocket load generator, run as a forked child (IPC commands from bench/lib/gen.mjs).
// Many raw-TCP clients in one process; received frames are scanned, never JSON-parsed: the chat
// payload `B<run>:<sender>:<intendedUs>:xxx…` and AI tokens `@<emitUs>;` appear verbatim.
import { LeanWs } from './leanws.mjs';
import { Histogram } from '../lib/hist.mjs';
import { nowUs, sleep } from '../lib/clock.mjs';

const TYPE_AT = Buffer.from('"type":"');
const CONTENT_B = Buffer.from('"content":"B');
const ERR_OBJ = Buffer.from('"error":{');
const REQ_SEND = Buffer.from('"requestType":"send_message"');
const groups = new Map();
let gnoNext = 0;
let chat = null; // active chat run
let ai = null; // active AI run
const errors = { count: 0, samples: [] };

function frameType(buf, s, e) {
  let p;
  if (buf[s + 1] === 0x22 && buf.compare(TYPE_AT, 0, 8, s + 1, s + 9) === 0) p = s + 9;
  else {
    p = buf.indexOf(TYPE_AT, s);
    if (p < 0 || p >= e) return '';
    p += 8;
  }
  const q = buf.indexOf(0x22, p);
  return q < 0 || q > e ? '' : buf.latin1Slice(p, q);
}

let mRun = 0, mSender = 0, mT = 0;
function readInt(buf, p, e) {
  let v = 0;
  for (; p < e; p++) {
    const c = buf[p];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return [v, p];
}
/** Finds the chat marker in a message/ack frame; sets mRun/mSender/mT. */
function marker(buf, s, e) {
  let p = buf.indexOf(CONTENT_B, s);
  if (p < 0 || p >= e) return false;
  p += CONTENT_B.length;
  [mRun, p] = readInt(buf, p, e);
  [mSender, p] = readInt(buf, p + 1, e);
  [mT] = readInt(buf, p + 1, e);
  return true;
}

function onFrame(client, buf, s, e) {
  const recv = nowUs();
  const type = frameType(buf, s, e);
  if (type === 'message') {
    if (!chat || !marker(buf, s, e) || mRun !== chat.id) return;
    chat.delivered++;
    if (recv >= chat.warmEnd && recv <= chat.endAt) chat.winDeliveries++;
    if (mT >= chat.warmEnd) chat.hist.record(recv - mT);
    if (chat.closed && mSender === client.gno) {
      const st = chat.bySender.get(client.gno);
      if (st) {
        st.inflight--;
        if (recv < chat.endAt && chat.sent < chat.max) sendChat(st, nowUs());
      }
    }
  } else if (type === 'message_ack') {
    if (!chat || !marker(buf, s, e) || mRun !== chat.id) return;
    chat.acks++;
    if (mT >= chat.warmEnd) chat.ackHist.record(recv - mT);
  } else if (type === 'ai_chunk') {
    if (!ai) return;
    for (let p = buf.indexOf(0x40, s); p >= 0 && p < e; p = buf.indexOf(0x40, p + 1)) {
      const [t, q] = readInt(buf, p + 1, e);
      if (buf[q] !== 0x3b) continue;
      ai.hist.record(recv - t);
      ai.tokens++;
    }
  } else if (type === 'ai_stream_end') {
    if (!ai) return;
    ai.ends++;
    const p = buf.indexOf(ERR_OBJ, s);
    if (p >= 0 && p < e) {
      ai.endErrors++;
      if (ai.errorSamples.length < 3) ai.errorSamples.push(buf.toString('utf8', s, Math.min(e, s + 400)));
    }
  } else if (type === 'ai_typing') {
    if (ai) ai.typing++;
  } else if (type === 'room_joined') {
    if (client.joinLeft > 0 && --client.joinLeft === 0) client.joinDone?.();
  } else if (type === 'error') {
    // A refused send (rate_limited, queue full…) is "rejected", not lost: it leaves the window.
    const st = chat?.bySender.get(client.gno);
    if (st && buf.indexOf(REQ_SEND, s) >= 0 && buf.indexOf(REQ_SEND, s) < e) {
      chat.rejected++;
      chat.expected -= st.members;
      st.inflight--;
      if (chat.closed && nowUs() < chat.endAt && chat.sent < chat.max) sendChat(st, nowUs());
    }
    errors.count++;
    if (errors.samples.length < 5) errors.samples.push(buf.toString('utf8', s, Math.min(e, s + 300)));
    if (client.joinLeft > 0) client.joinFail?.(new Error(`join refused: ${buf.toString('utf8', s, Math.min(e, s + 200))}`));
  }
}

async function connect({ gid, host, port, clients, concurrency = 100, timeoutMs = 15000 }) {
  const g = { clients: [] };
  groups.set(gid, g);
  const t0 = nowUs();
  let next = 0, joined = 0, failed = 0, firstError = null, status = null;
  const worker = async () => {
    while (next < clients.length) {
      const spec = clients[next++];
      const c = { gno: gnoNext++, joinLeft: spec.rooms.length };
      c.ws = new LeanWs({ host, port, path: `/ws?token=${encodeURIComponent(spec.token)}` }, (b, s, e) => onFrame(c, b, s, e));
      g.clients.push(c);
      try {
        await c.ws.connect(timeoutMs);
        if (spec.rooms.length) {
          const done = new Promise((resolve, reject) => {
            c.joinDone = resolve;
            c.joinFail = reject;
            setTimeout(() => reject(new Error('join timeout')), timeoutMs).unref();
          });
          for (const roomId of spec.rooms) c.ws.send(`{"type":"join_room","roomId":"${roomId}"}`);
          await done;
        }
        joined++;
      } catch (err) {
        failed++;
        firstError ??= err.message;
        status ??= err.status ?? null;
        c.ws.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker));
  return { joined, failed, firstError, status, ms: (nowUs() - t0) / 1000, gnos: g.clients.map((c) => c.gno) };
}

function sendChat(st, intended) {
  const run = chat;
  const content = `B${run.id}:${st.c.gno}:${Math.round(intended)}:`.padEnd(run.payload, 'x');
  st.c.ws.send(`{"type":"send_message","roomId":"${st.roomId}","content":"${content}","clientId":"c${run.id}-${st.c.gno}-${st.k++}"}`);
  st.inflight++;
  run.sent++;
  run.expected += st.members;
  const now = nowUs();
  if (now >= run.warmEnd && now <= run.endAt) run.winSent++;
}

async function runChat(args, emit) {
  const g = groups.get(args.gid);
  const { mode, rate = 0, window = 2, warmupMs = 1000, durationMs = 3000, drainMs = 5000, payload = 100 } = args;
  const start = nowUs();
  const run = (chat = {
    id: args.runId, closed: mode === 'closed', max: args.maxMessages ?? 1e9, payload,
    warmEnd: start + warmupMs * 1000, endAt: start + (warmupMs + durationMs) * 1000,
    sent: 0, winSent: 0, expected: 0, delivered: 0, winDeliveries: 0, acks: 0, rejected: 0,
    hist: new Histogram(), ackHist: new Histogram(), lag: new Histogram(), bySender: new Map(),
  });
  const senders = args.senders.map((s) => ({ c: g.clients[s.client], roomId: s.roomId, members: s.members, inflight: 0, k: 0 }));
  for (const st of senders) run.bySender.set(st.c.gno, st);
  let cpu0 = process.cpuUsage(), cpuWin = null;
  const warmTimer = setTimeout(() => {
    cpu0 = process.cpuUsage();
    emit('warm');
  }, warmupMs);
  let timer = null;
  if (run.closed) for (const st of senders) for (let i = 0; i < window; i++) sendChat(st, nowUs());
  else {
    let k = 0;
    timer = setInterval(() => {
      const now = nowUs();
      // message k is due at start + k/rate (k = 0 at once)
      const due = Math.min(Math.floor(((Math.min(now, run.endAt - 1) - start) * rate) / 1e6) + 1, run.max);
      for (; k < due; k++) {
        const intended = start + (k * 1e6) / rate;
        run.lag.record(now - intended);
        sendChat(senders[k % senders.length], intended);
      }
    }, 1);
  }
  await sleep(warmupMs + durationMs);
  clearInterval(timer);
  clearTimeout(warmTimer);
  const c = process.cpuUsage(cpu0);
  cpuWin = ((c.user + c.system) / (durationMs * 1000)) * 100;
  emit('sendEnd');
  const drainStart = nowUs();
  while (run.delivered < run.expected && nowUs() - drainStart < drainMs * 1000) await sleep(20);
  if (args.expectAcks) while (run.acks + run.rejected < run.sent && nowUs() - drainStart < drainMs * 1000) await sleep(20);
  chat = null;
  const secs = durationMs / 1000;
  return {
    sent: run.sent, expected: run.expected, delivered: run.delivered, lost: Math.max(0, run.expected - run.delivered),
    duplicates: Math.max(0, run.delivered - run.expected), acks: run.acks, rejected: run.rejected,
    deliveriesPerSec: Math.round(run.winDeliveries / secs), msgsPerSec: Math.round(run.winSent / secs),
    latency: run.hist.summary(), ack: run.ackHist.summary(), lag: run.lag.summary(),
    genCpuPct: Math.round(cpuWin), errors: errors.count, errorSamples: errors.samples.slice(),
  };
}

async function runAi({ gid, triggers, expectEnds, timeoutMs = 30000, stopAfterMs = 0, firstTimeoutMs = 5000 }) {
  const g = groups.get(gid);
  const run = (ai = { hist: new Histogram(), tokens: 0, ends: 0, endErrors: 0, typing: 0, errorSamples: [] });
  const cpu0 = process.cpuUsage();
  const t0 = nowUs();
  triggers.forEach((t, i) => g.clients[t.client].ws.send(`{"type":"send_message","roomId":"${t.roomId}","content":"@ai bench stream ${i}","clientId":"ai${Math.round(t0)}-${i}"}`));
  let stopSentUs = null;
  if (stopAfterMs) {
    await sleep(stopAfterMs);
    stopSentUs = nowUs();
    for (const t of triggers) g.clients[t.client].ws.send(`{"type":"stop_ai","roomId":"${t.roomId}"}`);
  }
  while (run.ends < expectEnds && nowUs() - t0 < timeoutMs * 1000) {
    if (!run.typing && !run.tokens && !run.ends && nowUs() - t0 > firstTimeoutMs * 1000) break; // no assistant at all
    await sleep(20);
  }
  const c = process.cpuUsage(cpu0);
  const secs = (nowUs() - t0) / 1e6;
  ai = null;
  return {
    tokens: run.tokens, ends: run.ends, endErrors: run.endErrors, typing: run.typing, errorSamples: run.errorSamples,
    latency: run.hist.summary(), seconds: secs, stopSentUs, genCpuPct: Math.round(((c.user + c.system) / 1e6 / secs) * 100),
    errors: errors.count, errorSamples2: errors.samples.slice(),
  };
}

async function close({ gid }) {
  const g = groups.get(gid);
  if (!g) return { closed: 0 };
  for (const c of g.clients) c.ws.close();
  groups.delete(gid);
  await sleep(100);
  return { closed: g.clients.length };
}

const handlers = {
  connect, close,
  run: runChat, ai: runAi,
  resetErrors: async () => { errors.count = 0; errors.samples = []; return {}; },
  mem: async () => ({ rss: process.memoryUsage().rss }),
};

process.on('message', async (msg) => {
  const emit = (event) => process.send({ id: msg.id, event });
  try {
    const result = await handlers[msg.cmd](msg.args ?? {}, emit);
    process.send({ id: msg.id, result });
  } catch (err) {
    process.send({ id: msg.id, error: String(err?.stack ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
