// Fake OpenAI-compatible LLM for the benchmarks: POST …/chat/completions streams SSE chunks at a
// fixed token rate. Each token is ` w<i>@<emitUs>;` with emitUs on the shared monotonic clock
// (bench/lib/clock.mjs), so a viewer can compute the relay's added latency per chunk. The stream
// ends with a finish chunk, a usage chunk with `choices: []`, then `data: [DONE]` (OpenRouter's
// framing). Non-streaming requests get one short answer. Admin: POST /__config {tokens, rate},
// GET /__stats (requests, completed, aborted with the µs time the client went away).
import http from 'node:http';
import { parseArgs } from 'node:util';
import { nowUs } from './lib/clock.mjs';

const { values: opt } = parseArgs({ options: { port: { type: 'string' }, tokens: { type: 'string' }, rate: { type: 'string' } } });
const cfg = { tokens: Number(opt.tokens ?? 200), rate: Number(opt.rate ?? 50) };
const stats = { requests: 0, streams: 0, completed: 0, aborted: [] };

const chunk = (id, delta, finish = null) =>
  `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'bench/fake', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

function stream(req, res) {
  stats.streams++;
  const id = `gen-bench-${stats.streams}`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write(': OPENROUTER PROCESSING\n\n');
  res.write(chunk(id, { role: 'assistant', content: '' }));
  const { tokens, rate } = cfg;
  const start = nowUs();
  let i = 0;
  let timer = null;
  let closed = false;
  res.on('close', () => {
    if (i < tokens) stats.aborted.push({ at: nowUs(), tokensSent: i });
    closed = true;
    clearTimeout(timer);
  });
  const tick = () => {
    if (closed) return;
    if (i < tokens) {
      i++;
      res.write(chunk(id, { content: ` w${i}@${Math.round(nowUs())};` }));
      timer = setTimeout(tick, Math.max(0, (start + (i * 1e6) / rate - nowUs()) / 1000));
      return;
    }
    res.write(chunk(id, {}, 'stop'));
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: 'bench/fake', choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens, total_tokens: 10 + tokens, cost: 0 } })}\n\n`);
    res.end('data: [DONE]\n\n');
    stats.completed++;
  };
  timer = setTimeout(tick, 1000 / rate);
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    const json = (code, obj) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.url === '/__stats') return json(200, stats);
    if (req.url === '/__config' && req.method === 'POST') {
      Object.assign(cfg, JSON.parse(body || '{}'));
      return json(200, cfg);
    }
    if (req.url.endsWith('/models')) return json(200, { data: [{ id: 'bench/fake', name: 'Bench fake', context_length: 8192, pricing: { prompt: '0', completion: '0' }, architecture: { input_modalities: ['text'] }, supported_parameters: ['tools'] }] });
    if (req.url.endsWith('/chat/completions') && req.method === 'POST') {
      stats.requests++;
      let parsed = {};
      try {
        parsed = JSON.parse(body);
      } catch {
        /* treat as non-stream */
      }
      if (parsed.stream) return stream(req, res);
      return json(200, { id: 'gen-bench', object: 'chat.completion', model: 'bench/fake', choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    }
    json(404, { error: { message: 'not found' } });
  });
});
server.listen(Number(opt.port ?? 0), '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
