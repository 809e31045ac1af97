import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenRouter, type FakeOpenRouter } from '../../test/fakeOpenRouter.js';
import { startTestServer, type TestServer } from '../../test/testServer.js';

let fake: FakeOpenRouter;
let s: TestServer;
beforeAll(async () => {
  fake = await startFakeOpenRouter();
  s = await startTestServer({ OPENROUTER_BASE_URL: fake.baseUrl, OPENROUTER_API_KEY: 'sk-or-v1-route-test', AI_MODEL: 'anthropic/claude-sonnet-4.5' });
});
afterAll(async () => {
  await s?.stop();
  await fake?.stop();
});

describe('GET /api/models', () => {
  it('requires a token', async () => {
    const res = await s.api('GET', '/api/models');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(fake.modelsRequests).toBe(0);
  });

  it('lists the provider models with capabilities and the default model, cached', async () => {
    const { token } = await s.register();
    const res = await s.api('GET', '/api/models', { token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['defaultModel', 'models']);
    expect(res.body.defaultModel).toBe('anthropic/claude-sonnet-4.5');
    expect(res.body.models).toHaveLength(3);
    for (const m of res.body.models) {
      expect(Object.keys(m).sort()).toEqual(['contextLength', 'id', 'name', 'pricing', 'supportsImages', 'supportsTools']);
    }
    expect(res.body.models.find((m: any) => m.id === 'anthropic/claude-sonnet-4.5')).toEqual({
      id: 'anthropic/claude-sonnet-4.5',
      name: 'Anthropic: Claude Sonnet 4.5',
      contextLength: 1000000,
      supportsImages: true,
      supportsTools: true,
      pricing: { prompt: 0.000003, completion: 0.000015 },
    });
    expect(res.body.models.find((m: any) => m.id === 'meta-llama/llama-3-8b-instruct')).toMatchObject({ supportsImages: false, supportsTools: false });
    expect(fake.requests[0].headers['http-referer']).toBe('http://chat.test');

    await s.api('GET', '/api/models', { token });
    expect(fake.modelsRequests).toBe(1);
  });

  it('builds the LLM port only when a key is configured', async () => {
    expect(s.deps.llm).not.toBeNull();
    const plain = await startTestServer();
    try {
      expect(plain.deps.llm).toBeNull();
      const { token } = await plain.register();
      const res = await plain.api('GET', '/api/models', { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        models: [{ id: 'openai/gpt-4o-mini', name: 'openai/gpt-4o-mini', contextLength: null, supportsImages: false, supportsTools: true, pricing: { prompt: null, completion: null } }],
        defaultModel: 'openai/gpt-4o-mini',
      });
    } finally {
      await plain.stop();
    }
  });
});
