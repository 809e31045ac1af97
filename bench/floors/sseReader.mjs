// Floor: read the fake LLM's stream directly (no relay) and print per-token latency as JSON.
import { parseArgs } from 'node:util';
import { Histogram } from '../lib/hist.mjs';
import { nowUs } from '../lib/clock.mjs';

const { values: opt } = parseArgs({ options: { url: { type: 'string' } } });
const hist = new Histogram();
let tokens = 0;
const res = await fetch(`${opt.url}/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'go' }] }),
});
const decoder = new TextDecoder();
let buf = '';
for await (const chunk of res.body) {
  const recv = nowUs();
  buf += decoder.decode(chunk, { stream: true });
  let at;
  while ((at = buf.indexOf('\n\n')) >= 0) {
    const ev = buf.slice(0, at);
    buf = buf.slice(at + 2);
    for (const m of ev.matchAll(/@(\d+);/g)) {
      hist.record(recv - Number(m[1]));
      tokens++;
    }
  }
}
console.log(JSON.stringify({ tokens, latency: hist.summary() }));
