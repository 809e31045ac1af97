// Runs one WebSocket chat load point against a target (ours or a floor) through the generator,
// sampling the target's CPU and RSS from procfs exactly over the measured window.
let gidSeq = 0;
let runSeq = 0;

/** Connects a shape's clients; returns {gid} or throws an Error whose message says why. */
export async function connectShape(gen, target, sh, { concurrency = 100 } = {}) {
  const gid = ++gidSeq;
  const conn = await gen.call('connect', { gid, host: '127.0.0.1', port: target.port, clients: sh.clients, concurrency });
  if (conn.failed) {
    await gen.call('close', { gid });
    const err = new Error(conn.status ? `WebSocket /ws answered HTTP ${conn.status}` : `${conn.failed}/${sh.clients.length} sockets failed: ${conn.firstError}`);
    err.skip = conn.status === 404 || conn.status === 400 || /ECONNRESET|socket hang up|join refused/.test(conn.firstError ?? '');
    throw err;
  }
  return { gid, ms: conn.ms };
}

/**
 * load: {mode: 'open', rate} or {mode: 'closed', window}; timing from sizes (or overrides).
 * Returns the generator's figures plus serverCpuPct, cpuUsPerDelivery and rssMiB.
 */
export async function chatPoint(gen, target, sh, load, timing, { connected = null, expectAcks = false } = {}) {
  const { gid } = connected ?? (await connectShape(gen, target, sh));
  let s0 = null, s1 = null;
  try {
    const r = await gen.call(
      'run',
      { gid, runId: ++runSeq, senders: sh.senders, ...load, warmupMs: timing.warmupMs, durationMs: timing.durationMs, drainMs: timing.drainMs, expectAcks },
      { warm: () => (s0 = target.stat()), sendEnd: () => (s1 = target.stat()) },
    );
    const cpuUs = s0 && s1 ? s1.cpuUs - s0.cpuUs : NaN;
    const winDeliveries = (r.deliveriesPerSec * timing.durationMs) / 1000;
    return {
      ...r,
      serverCpuPct: Math.round((cpuUs / (timing.durationMs * 1000)) * 100),
      cpuUsPerDelivery: winDeliveries ? Math.round((cpuUs / winDeliveries) * 100) / 100 : null,
      rssMiB: s1 ? Math.round(s1.rss / 1048576) : null,
    };
  } finally {
    if (!connected) await gen.call('close', { gid });
  }
}

export async function closeGroup(gen, gid) {
  await gen.call('close', { gid });
}
