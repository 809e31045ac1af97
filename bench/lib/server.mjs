import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import { spawnTracked, captureOutput, freePort, waitHttp, stopChild, procStat } from './proc.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
const TSX = import.meta.resolve('tsx');
const TRACE = pathToFileURL(path.join(REPO, 'bench', 'lib', 'sqlTrace.mjs')).href;

let builtMain = null;
/** Use a transpiled build (bench/lib/build.mjs) instead of tsx for every later start. */
export function useBuiltServer(mainJs) {
  builtMain = mainJs;
}

/**
 * Starts our server (the transpiled build when useBuiltServer() was called, else server/main.ts
 * through tsx as `npm start` does) in its own process on a
 * free loopback port with a bench environment: production mode, BENCH_MODE=true, logs at warn,
 * rate limits out of the way, the fake LLM as provider. Resolves once /api/health answers;
 * startupMs = spawn → first successful health answer (polled every 5 ms).
 */
export async function startOurServer({ dir, dbFile, llmUrl = 'http://127.0.0.1:9/v1', env = {}, exposeGc = false, sqlTrace = null, nodeArgs = [], timeoutMs = 30000 }) {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const childEnv = {
    ...process.env,
    NODE_ENV: 'production',
    BIND_ADDR: `127.0.0.1:${port}`,
    DATABASE_URL: `sqlite:${dbFile}`,
    JWT_SECRET,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    OPENROUTER_API_KEY: 'bench-key',
    OPENROUTER_BASE_URL: llmUrl,
    AI_MODEL: 'bench/fake',
    SEARCH_PROVIDER: 'none',
    UPLOAD_DIR: path.join(dir, 'uploads'),
    BACKUP_DIR: path.join(dir, 'backups'),
    BACKUP_KEEP: '0',
    AUTH_RATE_LIMIT: '1000000',
    API_RATE_LIMIT: '10000000',
    BENCH_MODE: 'true',
    LOG_LEVEL: 'warn',
    ...(sqlTrace ? { BENCH_SQL_TRACE: sqlTrace } : {}),
    ...env,
  };
  const pre = [...(sqlTrace ? ['--import', TRACE] : []), ...(exposeGc ? ['--expose-gc'] : []), ...nodeArgs];
  const args = builtMain ? [...pre, builtMain] : ['--import', TSX, ...pre, path.join(REPO, 'server', 'main.ts')];
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, args, { cwd: dir, env: childEnv });
  const out = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHttp(`${url}/api/health`, { child, timeoutMs });
  } catch (err) {
    await stopChild(child, 1000);
    throw new Error(`server did not start: ${err.message}\n${out.text.slice(-1500)}`);
  }
  const startupMs = performance.now() - t0;
  return {
    url, port, pid: child.pid, child, out, startupMs,
    stat: () => procStat(child.pid),
    /** GET /api/health?…; returns the parsed body (null on failure). */
    health: async (query = '') => {
      try {
        const res = await fetch(`${url}/api/health${query}`);
        return await res.json();
      } catch {
        return null;
      }
    },
    stop: () => stopChild(child, 8000),
  };
}

/** Starts a floor script (bench/floors/*.mjs) on a free port; resolves when it answers /health. */
export async function startFloor(script, args = [], { exposeGc = false } = {}) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnTracked(process.execPath, [...(exposeGc ? ['--expose-gc'] : []), path.join(REPO, 'bench', 'floors', script), '--port', String(port), ...args]);
  const out = captureOutput(child);
  await waitHttp(`http://127.0.0.1:${port}/health`, { child });
  return { url: `http://127.0.0.1:${port}`, port, pid: child.pid, child, out, startupMs: performance.now() - t0, stat: () => procStat(child.pid), stop: () => stopChild(child, 3000) };
}
