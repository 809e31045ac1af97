import autocannon from 'autocannon';

/**
 * One autocannon run (programmatic API) with the target's CPU sampled from procfs around it.
 * opts: {url, path | paths(): string, method, headers, body, connections, seconds, overallRate}
 */
export async function httpLoad(target, { path, pathFn, method = 'GET', headers = {}, body, connections = 10, seconds = 5, overallRate }) {
  const s0 = target.stat();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await autocannon({
    url: target.url, connections, duration: seconds, method, headers, body, ...(overallRate ? { overallRate } : {}),
    requests: [pathFn ? { method, setupRequest: (req) => ({ ...req, path: pathFn() }) } : { method, path }],
  });
  const wall = performance.now() - t0;
  const s1 = target.stat();
  const c = process.cpuUsage(c0);
  const total = r.requests.total;
  const cpuUs = s1 && s0 ? s1.cpuUs - s0.cpuUs : NaN;
  return {
    reqPerSec: Math.round(total / r.duration), total, ok2xx: r['2xx'], non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts,
    latency: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, mean: Math.round(r.latency.average * 100) / 100 },
    serverCpuPct: Math.round((cpuUs / (wall * 1000)) * 100), cpuUsPerRequest: total ? Math.round((cpuUs / total) * 10) / 10 : null,
    genCpuPct: Math.round(((c.user + c.system) / (wall * 1000)) * 100), rssMiB: s1 ? Math.round(s1.rss / 1048576) : null,
  };
}

/** fetch returning {status, body} (body parsed as JSON when possible). */
export async function api(base, method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}
