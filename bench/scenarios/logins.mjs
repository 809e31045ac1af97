import { fig } from '../lib/results.mjs';
import { api } from '../lib/http.mjs';
import { Histogram } from '../lib/hist.mjs';
import { nowUs, sleep } from '../lib/clock.mjs';
import { chatPoint, connectShape, closeGroup } from '../lib/chat.mjs';
import { shape, oursAuth, floorAuth } from '../lib/plan.mjs';
import { startFloor } from '../lib/server.mjs';

// (d) password logins (argon2 in the server) at L per second while A1 chats at 300 msg/s:
// chat latency and event-loop delay (from /api/health in bench mode) against L = 0, and an
// overload phase well above the hashing capacity that must be shed (429/503), not queued.
const PASSWORD = 'bench password 1234';

async function fireLogins(url, users, perSec, ms) {
  const hist = new Histogram();
  const status = {};
  let outstanding = 0;
  if (!perSec) return { hist, status, outstanding, fired: 0 };
  const t0 = nowUs();
  let fired = 0;
  const one = async (username) => {
    outstanding++;
    const t = nowUs();
    try {
      const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }), signal: AbortSignal.timeout(15000) });
      await res.arrayBuffer();
      status[res.status] = (status[res.status] ?? 0) + 1;
      if (res.status === 200) hist.record(nowUs() - t);
    } catch {
      status.error = (status.error ?? 0) + 1;
    } finally {
      outstanding--;
    }
  };
  while (nowUs() - t0 < ms * 1000) {
    const due = Math.floor(((nowUs() - t0) / 1e6) * perSec);
    for (; fired < due; fired++) void one(users[fired % users.length]);
    await sleep(Math.max(1, Math.min(20, 1000 / perSec / 2)));
  }
  const stuckAt = nowUs();
  while (outstanding > 0 && nowUs() - stuckAt < 10_000_000) await sleep(20);
  const stuck = outstanding;
  return { hist, status, fired, stuck };
}

export async function runLogins(ctx) {
  const { sizes } = ctx;
  const sh = shape('A1', oursAuth, sizes);
  const server = await ctx.startOurs();
  const phases = [];
  let skip = null, capacityPerSec = null, group = null;
  try {
    const users = [];
    for (let k = 0; k < 8; k++) {
      const username = `login_${k}_${process.pid}`;
      const r = await api(server.url, 'POST', '/api/auth/register', { body: { username, password: PASSWORD } });
      if (r.status !== 201) throw Object.assign(new Error(`register answered ${r.status}`), { skip: r.status === 404 });
      users.push(username);
    }
    const t = nowUs();
    for (let k = 0; k < 5; k++) await api(server.url, 'POST', '/api/auth/login', { body: { username: users[k], password: PASSWORD } });
    const loginMs = (nowUs() - t) / 5000;
    capacityPerSec = Math.round(1000 / loginMs);
    group = await connectShape(ctx.gen, server, sh);
    const rates = [...sizes.loginRates.map((l) => [`L=${l}`, l, sizes.loginPhaseMs]), ['overload', Math.min(200, Math.max(20, 3 * capacityPerSec)), sizes.overloadMs]];
    for (const [label, perSec, ms] of rates) {
      ctx.log(`(d) ${label} (${perSec} logins/s)`);
      await server.health('?reset=1');
      const timing = { warmupMs: 300, durationMs: ms, drainMs: sizes.drainMs };
      const [chat, logins] = await Promise.all([
        chatPoint(ctx.gen, server, sh, { mode: 'open', rate: 300 }, timing, { connected: group }),
        fireLogins(server.url, users, perSec, timing.warmupMs + ms),
      ]);
      const h = await server.health();
      const secs = (timing.warmupMs + ms) / 1000;
      phases.push({
        label, perSec, chat: chat.latency, chatLost: chat.lost, genCpuPct: chat.genCpuPct, eventLoop: h?.process?.eventLoopDelay ?? null,
        login: logins.hist.summary(), loginStatus: logins.status, stuck: logins.stuck ?? 0,
        okPerSec: Math.round(((logins.status[200] ?? 0) / secs) * 10) / 10, shedPerSec: Math.round((((logins.status[429] ?? 0) + (logins.status[503] ?? 0)) / secs) * 10) / 10,
      });
    }
  } catch (err) {
    skip = err;
  } finally {
    if (group) await closeGroup(ctx.gen, group.gid);
    await server.stop();
  }
  if (skip) return ctx.results.add({ scenario: 'd', id: 'D-logins', status: skip.skip ? 'skipped' : 'failed', reason: skip.message });

  let floorP99 = null;
  if (sizes.loginFloor && sizes.loginRates.includes(4)) {
    ctx.log('(d) floor: ws relay hashing 4 passwords/s in-process');
    const floor = await startFloor('wsRelay.mjs', ['--argon2-per-s', '4']);
    try {
      floorP99 = (await chatPoint(ctx.gen, floor, shape('A1', floorAuth, sizes), { mode: 'open', rate: 300 }, { warmupMs: 300, durationMs: sizes.loginPhaseMs, drainMs: sizes.drainMs })).latency.p99;
    } catch {
      /* floor failure leaves the figure without a floor */
    } finally {
      await floor.stop();
    }
  }
  const base = phases[0];
  for (const p of phases) {
    const figures = [];
    if (p === base) figures.push(fig('chat p99', p.chat.p99, 'ms'), fig('event-loop p99', p.eventLoop?.p99 ?? null, 'ms'));
    else {
      const isL4 = p.label === 'L=4', isL8 = p.label === 'L=8', over = p.label === 'overload';
      figures.push(fig('chat p99 vs L=0', p.chat.p99, 'ms', { floor: base.chat.p99, ...(isL4 ? { maxRatio: 2 } : {}), ...(isL8 || over ? { maxAbs: 20 } : {}) }));
      if (isL4 && floorP99 !== null) figures.push(fig('chat p99 vs ws floor hashing 4/s', p.chat.p99, 'ms', { floor: floorP99 }));
      figures.push(fig('event-loop p99', p.eventLoop?.p99 ?? null, 'ms', isL4 ? { maxAbs: 10 } : {}));
      figures.push(fig('login p99', p.login.p99, 'ms', isL4 ? { maxAbs: 500 } : {}));
      figures.push(fig('logins ok/s', p.okPerSec, '/s', { note: `capacity ≈ ${capacityPerSec}/s` }));
      if (over) figures.push(fig('logins shed/s', p.shedPerSec, '/s', { minAbs: 0.1 }));
      figures.push(fig('logins still waiting 10 s after', p.stuck, '', { equals: 0 }));
    }
    ctx.results.add({ scenario: 'd', id: `D-${p.label}`, status: 'ok', ...p, capacityPerSec, generatorBound: p.genCpuPct > 90, figures });
  }
}
