import path from 'node:path';
import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { fig } from '../lib/results.mjs';
import { chatPoint, connectShape, closeGroup } from '../lib/chat.mjs';
import { shape, oursAuth, floorAuth } from '../lib/plan.mjs';
import { startFloor, REPO } from '../lib/server.mjs';

// (e) the assistant's stream relay: bench/fake-llm.mjs streams tokens at 50/s, each stamped with
// its emit time; viewers measure receive − emit per token. E1 100 viewers, E2 1,000 viewers,
// E3 10 concurrent streams × 100 viewers, E4 = E1 while A1 chats at 300 msg/s, E5 stop_ai after
// 1 s (upstream must close within 100 ms, partial reply stored as "stopped").
const RATE = 50;

function assistantCounts(dbFile) {
  const db = new Database(dbFile, { readonly: true });
  try {
    return Object.fromEntries(db.prepare("SELECT room_id AS r, count(*) AS n FROM messages WHERE role = 'assistant' GROUP BY room_id").all().map((x) => [x.r, x.n]));
  } finally {
    db.close();
  }
}

async function aiPoint(ctx, target, name, auth, ours) {
  const tokens = ctx.sizes.aiTokens;
  const sh = shape(name, auth, ctx.sizes);
  const group = await connectShape(ctx.gen, target, sh);
  let chatGroup = null;
  try {
    const before = ours ? assistantCounts(ctx.dbA) : null;
    const llmBefore = await ctx.llm.stats();
    const s0 = target.stat();
    // E5 streams long enough to be stopped mid-way (500 ms in)
    if (name === 'E5') await ctx.llm.config({ tokens: 500, rate: RATE });
    const aiCall = ctx.gen
      .call('ai', { gid: group.gid, triggers: sh.triggers, expectEnds: sh.viewers, timeoutMs: (tokens / RATE) * 1000 + 10000, stopAfterMs: name === 'E5' ? 500 : 0 })
      .finally(() => name === 'E5' && ctx.llm.config({ tokens, rate: RATE }));
    let chat = null;
    if (name === 'E4') {
      const a1 = shape('A1', auth, ctx.sizes);
      chatGroup = await connectShape(ctx.gen, target, a1);
      chat = await chatPoint(ctx.gen, target, a1, { mode: 'open', rate: 300 }, { warmupMs: 500, durationMs: (tokens / RATE) * 1000 - 1000, drainMs: 3000 }, { connected: chatGroup });
    }
    const r = await aiCall;
    const s1 = target.stat();
    const llm = await ctx.llm.stats();
    const out = { viewers: sh.viewers, streams: sh.triggers.length, ...r, chat: chat?.latency ?? null, cpuUs: s1.cpuUs - s0.cpuUs };
    out.expectedTokens = sh.viewers * tokens;
    out.cpuUsPerChunkDelivery = r.tokens ? Math.round((out.cpuUs / r.tokens) * 100) / 100 : null;
    out.upstreamRequests = llm.requests - llmBefore.requests;
    if (name === 'E5') out.cancelMs = llm.aborted.length > llmBefore.aborted.length && r.stopSentUs ? Math.round((llm.aborted.at(-1).at - r.stopSentUs) / 100) / 10 : null;
    if (ours) {
      await new Promise((res) => setTimeout(res, 200));
      const after = assistantCounts(ctx.dbA);
      out.stored = Object.fromEntries(sh.rooms.map((id) => [id, (after[id] ?? 0) - (before[id] ?? 0)]));
      if (name === 'E5') {
        const db = new Database(ctx.dbA, { readonly: true });
        out.finishReason = db.prepare("SELECT json_extract(ai, '$.finishReason') AS f FROM messages WHERE room_id = 'rE5' AND role = 'assistant' ORDER BY seq DESC LIMIT 1").get()?.f ?? null;
        db.close();
      }
    }
    return out;
  } finally {
    await closeGroup(ctx.gen, group.gid);
    if (chatGroup) await closeGroup(ctx.gen, chatGroup.gid);
  }
}

async function allCases(ctx, target, auth, ours) {
  const out = {};
  for (const name of ctx.sizes.aiCases) {
    if (!ours && (name === 'E4' || name === 'E5')) continue;
    ctx.log(`(e) ${ours ? 'ours' : 'floor'} ${name}`);
    try {
      out[name] = await aiPoint(ctx, target, name, auth, ours);
      if (!out[name].typing && !out[name].tokens && !out[name].ends) {
        out[name] = { error: 'no ai_typing/ai_chunk/ai_stream_end within 5 s of an @ai mention (assistant not wired?)', skip: true };
        break;
      }
    } catch (err) {
      out[name] = { error: err.message, skip: err.skip };
      if (err.skip) break;
    }
  }
  return out;
}

export async function runAi(ctx) {
  await ctx.llm.config({ tokens: ctx.sizes.aiTokens, rate: RATE });
  ctx.log('(e) floor: direct SSE read of the fake LLM');
  const sse = JSON.parse(execFileSync(process.execPath, [path.join(REPO, 'bench/floors/sseReader.mjs'), '--url', ctx.llm.url], { encoding: 'utf8' }));
  const floor = await startFloor('wsRelay.mjs', ['--llm', ctx.llm.url]);
  const floorRes = await allCases(ctx, floor, floorAuth, false).finally(() => floor.stop());
  const server = await ctx.startOurs();
  const ours = await allCases(ctx, server, oursAuth, true).finally(() => server.stop());

  for (const name of ctx.sizes.aiCases) {
    const o = ours[name], f = floorRes[name];
    const base = { scenario: 'e', id: name, ours: o, floor: f, sseFloor: sse };
    if (!o || o.error) {
      ctx.results.add({ ...base, status: o?.skip ? 'skipped' : 'failed', reason: o?.error ?? 'not run' });
      continue;
    }
    const storedOk = o.stored ? Object.values(o.stored).every((v) => v === 1) : null;
    const fl = f && !f.error ? f : null;
    const figures = [];
    if (name === 'E5') {
      figures.push(fig('upstream closed after stop_ai', o.cancelMs, 'ms', { maxAbs: 100 }));
      figures.push(fig('stored finishReason', o.finishReason, '', { equals: 'stopped' }));
    } else {
      const p99Max = { E1: 10, E2: 40, E3: 30 }[name];
      figures.push(fig('added p50', o.latency.p50, 'ms', { floor: fl?.latency.p50, ...(name === 'E1' ? { maxAbs: 3 } : {}), note: `direct SSE ${sse.latency.p50} ms` }));
      figures.push(fig('added p99', o.latency.p99, 'ms', { floor: fl?.latency.p99, ...(p99Max ? { maxAbs: p99Max } : {}) }));
      figures.push(fig('tokens lost', o.expectedTokens - o.tokens, '', { equals: 0 }));
      if (name !== 'E4') figures.push(fig('server CPU/chunk-delivery', o.cpuUsPerChunkDelivery, 'µs', { floor: fl?.cpuUsPerChunkDelivery, maxRatio: 1.2 }));
      if (name === 'E4' && o.chat) figures.push(fig('chat p99 beside the stream', o.chat.p99, 'ms'));
    }
    figures.push(fig('one stored reply per stream', storedOk === null ? null : storedOk ? 1 : 0, '', { equals: 1 }));
    ctx.results.add({ ...base, status: 'ok', generatorBound: o.genCpuPct > 90, figures });
  }
}
