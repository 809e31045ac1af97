import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeModel, startFakeOpenRouter, type FakeOpenRouter } from '../test/fakeOpenRouter.js';
import { ModelCatalog, toModelInfo, type ModelCatalogOptions } from './models.js';

let fake: FakeOpenRouter;
let clock = 0;
const defaultModels = () => [
  fakeModel('openai/gpt-4o-mini', { name: 'OpenAI: GPT-4o-mini', images: true, prompt: '0.00000015', completion: '0.0000006' }),
  fakeModel('meta-llama/llama-3-8b-instruct', { name: 'Meta: Llama 3 8B Instruct', context: 8192, tools: false, prompt: '0', completion: '0' }),
];

beforeAll(async () => {
  fake = await startFakeOpenRouter();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.modelsFailure = null;
  fake.models = defaultModels();
  clock = 1_000_000;
});

const catalog = (over: Partial<ModelCatalogOptions> = {}) =>
  new ModelCatalog({ baseUrl: fake.baseUrl, apiKey: 'sk-or-v1-test', publicUrl: 'https://chat.example', defaultModel: 'openai/gpt-4o-mini', now: () => clock, ...over });

describe('ModelCatalog', () => {
  it('maps the provider list to ids, names, context, capabilities and numeric prices', async () => {
    const models = await catalog().list();
    expect(models).toEqual([
      { id: 'openai/gpt-4o-mini', name: 'OpenAI: GPT-4o-mini', contextLength: 128000, supportsImages: true, supportsTools: true, pricing: { prompt: 0.00000015, completion: 0.0000006 } },
      { id: 'meta-llama/llama-3-8b-instruct', name: 'Meta: Llama 3 8B Instruct', contextLength: 8192, supportsImages: false, supportsTools: false, pricing: { prompt: 0, completion: 0 } },
    ]);
    expect(fake.requests[0].headers['http-referer']).toBe('https://chat.example');
  });

  it('answers capability questions, with safe guesses for unknown models', async () => {
    const c = catalog();
    expect(await c.supportsImages('openai/gpt-4o-mini')).toBe(true);
    expect(await c.supportsTools('openai/gpt-4o-mini')).toBe(true);
    expect(await c.supportsImages('meta-llama/llama-3-8b-instruct')).toBe(false);
    expect(await c.supportsTools('meta-llama/llama-3-8b-instruct')).toBe(false);
    expect(await c.supportsImages('someone/unknown-model')).toBe(false);
    expect(await c.supportsTools('someone/unknown-model')).toBe(true);
    expect(fake.modelsRequests).toBe(1);
  });

  it('caches for an hour with a single fetch in flight, then refreshes', async () => {
    const c = catalog();
    const [a, b] = await Promise.all([c.list(), c.list()]);
    expect(a).toBe(b);
    expect(fake.modelsRequests).toBe(1);
    clock += 59 * 60_000;
    await c.list();
    expect(fake.modelsRequests).toBe(1);

    fake.models = [...defaultModels(), fakeModel('x-ai/grok-4', { images: true })];
    clock += 2 * 60_000;
    // A stale list is served while the refresh runs; the next call sees the new list.
    expect((await c.list()).map((m) => m.id)).not.toContain('x-ai/grok-4');
    await c.whenIdle();
    expect(fake.modelsRequests).toBe(2);
    expect((await c.list()).map((m) => m.id)).toContain('x-ai/grok-4');
  });

  it('still answers with the configured default when the provider is down', async () => {
    fake.modelsFailure = 500;
    const c = catalog({ defaultModel: 'anthropic/claude-sonnet-4.5' });
    expect(await c.list()).toEqual([
      { id: 'anthropic/claude-sonnet-4.5', name: 'anthropic/claude-sonnet-4.5', contextLength: null, supportsImages: false, supportsTools: true, pricing: { prompt: null, completion: null } },
    ]);
    // Failures are not retried on every call...
    await c.list();
    expect(fake.modelsRequests).toBe(1);
    // ...but after the retry delay, and then the real list is served.
    fake.modelsFailure = null;
    clock += 61_000;
    expect((await c.list()).map((m) => m.id)).toContain('openai/gpt-4o-mini');
  });

  it('keeps serving the last good list when a refresh fails', async () => {
    const c = catalog();
    await c.list();
    fake.modelsFailure = 'drop';
    clock += 2 * 3_600_000;
    await c.list();
    await c.whenIdle();
    expect(fake.modelsRequests).toBe(2);
    expect((await c.list()).map((m) => m.id)).toEqual(['openai/gpt-4o-mini', 'meta-llama/llama-3-8b-instruct']);
  });

  it('falls back when the provider is unreachable', async () => {
    const c = catalog({ baseUrl: 'http://127.0.0.1:1/api/v1' });
    expect((await c.list()).map((m) => m.id)).toEqual(['openai/gpt-4o-mini']);
  });

  it('adds the default model when the provider does not list it', async () => {
    const models = await catalog({ defaultModel: 'custom/model' }).list();
    expect(models[0]).toMatchObject({ id: 'custom/model', supportsImages: false, supportsTools: true });
    expect(models).toHaveLength(3);
  });

  it('makes no network call without an API key', async () => {
    const models = await catalog({ apiKey: null }).list();
    expect(models.map((m) => m.id)).toEqual(['openai/gpt-4o-mini']);
    expect(fake.modelsRequests).toBe(0);
  });
});

describe('toModelInfo', () => {
  it('falls back to the modality string and skips malformed or image-output entries', () => {
    expect(toModelInfo({ id: 'a/b', architecture: { modality: 'text+image->text' }, pricing: { prompt: 'abc' } })).toMatchObject({
      supportsImages: true,
      supportsTools: false,
      contextLength: null,
      pricing: { prompt: null, completion: null },
    });
    expect(toModelInfo({ id: 'img/gen', architecture: { input_modalities: ['text'], output_modalities: ['image'] } })).toBeNull();
    expect(toModelInfo({ name: 'no id' })).toBeNull();
    expect(toModelInfo(null)).toBeNull();
  });
});
