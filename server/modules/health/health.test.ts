import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test/testServer.js';

describe('GET /api/health', () => {
  let plain: TestServer;
  let bench: TestServer;
  beforeAll(async () => {
    plain = await startTestServer();
    bench = await startTestServer({ BENCH_MODE: 'true' });
  });
  afterAll(async () => {
    await plain?.stop();
    await bench?.stop();
  });

  it('reports liveness without process figures outside bench mode', async () => {
    const res = await plain.api('GET', '/api/health?reset=1&gc=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', db: 'ok', connectedClients: 0 });
    expect(res.body.process).toBeUndefined();
  });

  it('in bench mode reports CPU, memory and the event-loop delay since the last reset', async () => {
    const first = await bench.api('GET', '/api/health');
    expect(first.body.process.cpu.user).toBeGreaterThan(0);
    expect(first.body.process.memory.heapUsed).toBeGreaterThan(0);
    // Block the loop briefly so the histogram has a sample well above 1 ms.
    await new Promise((r) => setTimeout(r, 30));
    const end = Date.now() + 60;
    while (Date.now() < end) {
      /* busy */
    }
    await new Promise((r) => setTimeout(r, 30));
    const loaded = await bench.api('GET', '/api/health?reset=1');
    expect(loaded.body.process.eventLoopDelay.max).toBeGreaterThanOrEqual(50);
    await new Promise((r) => setTimeout(r, 30));
    const after = await bench.api('GET', '/api/health');
    expect(after.body.process.eventLoopDelay?.max ?? 0).toBeLessThan(loaded.body.process.eventLoopDelay.max);
  });
});
