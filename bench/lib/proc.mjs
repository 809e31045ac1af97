import { spawn, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { sleep } from './clock.mjs';

// Every child the harness starts is tracked by PID and killed on exit or signal, so an aborted
// run never leaves a server, floor or generator behind.
const children = new Map(); // pid -> ChildProcess

function track(child) {
  children.set(child.pid, child);
  child.once('exit', () => children.delete(child.pid));
  return child;
}

/** Spawns a command (stdio piped), tracked for cleanup. */
export function spawnTracked(cmd, args, opts = {}) {
  return track(spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts }));
}

/** Forks a Node module with an IPC channel, tracked for cleanup. */
export function forkTracked(modulePath, args = [], opts = {}) {
  return track(fork(modulePath, args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], ...opts }));
}

/** SIGTERM, then SIGKILL after graceMs; resolves when the process has exited. */
export async function stopChild(child, graceMs = 6000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const t = setTimeout(() => {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  await exited;
  clearTimeout(t);
}

/** Kills every tracked child at once (exit/signal path). */
export function killAll() {
  for (const pid of children.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  children.clear();
}

/** Keeps the last `max` characters a child wrote to stdout/stderr (for error reports). */
export function captureOutput(child, max = 4000) {
  const out = { text: '' };
  const add = (d) => {
    out.text = (out.text + d.toString()).slice(-max);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return out;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until url answers 2xx (or any status when anyStatus); returns ms waited, or throws. */
export async function waitHttp(url, { timeoutMs = 20000, intervalMs = 5, child, anyStatus = false } = {}) {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`process exited (${child.exitCode ?? child.signalCode}) before answering`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (anyStatus || res.ok) return performance.now() - start;
    } catch {
      /* not up yet */
    }
    await sleep(intervalMs);
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

const CLK_TCK = 100; // Linux USER_HZ on every x86_64 kernel we run on

/** CPU time (µs, user+system) and RSS (bytes) of one process from procfs; null when gone. */
export function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuUs = ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
    const rssPages = Number(f[21]);
    return { cpuUs, rss: rssPages * 4096 };
  } catch {
    return null;
  }
}

/** Machine-wide steal and total jiffies (for the header's steal percentage). */
export function cpuJiffies() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { total: line.reduce((a, b) => a + b, 0), steal: line[7] ?? 0 };
}
