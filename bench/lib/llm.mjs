import path from 'node:path';
import { REPO } from './server.mjs';
import { spawnTracked, captureOutput, freePort, waitHttp } from './proc.mjs';

/** Starts bench/fake-llm.mjs on a free port; url is the OpenAI-style base (…/v1). */
export async function startFakeLlm(tokens) {
  const port = await freePort();
  const child = spawnTracked(process.execPath, [path.join(REPO, 'bench', 'fake-llm.mjs'), '--port', String(port), '--tokens', String(tokens)]);
  const out = captureOutput(child);
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/__stats`, { child });
  return {
    url: `${base}/v1`, child, out,
    config: (cfg) => fetch(`${base}/__config`, { method: 'POST', body: JSON.stringify(cfg) }).then((r) => r.json()),
    stats: () => fetch(`${base}/__stats`).then((r) => r.json()),
  };
}
