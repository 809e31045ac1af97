import type { ModelInfo } from '../contract.js';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { APP_TITLE } from './openRouterLlm.js';

/** A model as the API presents it (GET /api/models); prices are USD per token, null when unknown. */
export type { ModelInfo };

export interface ModelCatalogOptions {
  /** Provider base URL; the list is `${baseUrl}/models`. */
  baseUrl: string;
  /** Sent when set; OpenRouter's list is public. Without a key the catalog stays offline. */
  apiKey: string | null;
  publicUrl: string;
  defaultModel: string;
  logger?: Pick<Logger, 'warn'>;
  /** How long a fetched list is served (default 1 h). */
  ttlMs?: number;
  /** After a failed fetch, how long before trying again (default 60 s); meanwhile the last good list (or the fallback) is served. */
  retryMs?: number;
  /** Fetch budget (default 10 s). */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The provider's model list, cached (1 h, one fetch at a time, a stale list served while it
 * refreshes) and reduced to what the app needs:
 * image input and tool support. When the provider is unreachable it still answers, holding at
 * least the configured default model with conservative flags.
 */
export class ModelCatalog {
  private cache: { models: ModelInfo[]; byId: Map<string, ModelInfo>; fetchedAt: number } | null = null;
  private failedAt: number | null = null;
  private inflight: Promise<void> | null = null;
  private warnedMissingDefault = false;
  private readonly now: () => number;

  constructor(private readonly opts: ModelCatalogOptions) {
    this.now = opts.now ?? Date.now;
  }

  get defaultModel(): string {
    return this.opts.defaultModel;
  }

  /** All models (the default always included); never throws. */
  async list(): Promise<ModelInfo[]> {
    await this.refreshIfNeeded();
    return this.cache ? this.cache.models : [fallbackModel(this.opts.defaultModel)];
  }

  /** The model's entry, or undefined when the provider does not list it (or is unreachable). */
  async get(modelId: string): Promise<ModelInfo | undefined> {
    await this.refreshIfNeeded();
    return this.cache?.byId.get(modelId);
  }

  /** Whether to send images to this model; an unknown model gets none. */
  async supportsImages(modelId: string): Promise<boolean> {
    return (await this.get(modelId))?.supportsImages ?? false;
  }

  /** Whether to offer tools to this model; an unknown model is assumed to take them. */
  async supportsTools(modelId: string): Promise<boolean> {
    return (await this.get(modelId))?.supportsTools ?? true;
  }

  /** Resolves when no background refresh is running (tests, shutdown). */
  async whenIdle(): Promise<void> {
    await this.inflight;
  }

  private async refreshIfNeeded(): Promise<void> {
    if (!this.opts.apiKey) return; // assistant disabled: no network, the fallback list only
    const now = this.now();
    const ttl = this.opts.ttlMs ?? 3_600_000;
    if (this.cache && now - this.cache.fetchedAt < ttl) return;
    if (this.failedAt !== null && now - this.failedAt < (this.opts.retryMs ?? 60_000)) return;
    this.inflight ??= this.fetchList().finally(() => {
      this.inflight = null;
    });
    // Stale-while-revalidate: only the very first fetch makes callers wait.
    if (!this.cache) await this.inflight;
  }

  private async fetchList(): Promise<void> {
    try {
      const headers: Record<string, string> = { accept: 'application/json', 'HTTP-Referer': this.opts.publicUrl, 'X-Title': APP_TITLE };
      if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
      const res = await fetch(`${this.opts.baseUrl}/models`, { headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        throw new Error(`HTTP ${res.status}`);
      }
      const json = (await res.json()) as { data?: unknown };
      if (!Array.isArray(json?.data)) throw new Error('unexpected response: no data array');
      const models = json.data.map(toModelInfo).filter((m): m is ModelInfo => m !== null);
      if (!models.some((m) => m.id === this.opts.defaultModel)) {
        if (!this.warnedMissingDefault) this.opts.logger?.warn({ model: this.opts.defaultModel }, 'AI_MODEL is not in the provider model list');
        this.warnedMissingDefault = true;
        models.unshift(fallbackModel(this.opts.defaultModel));
      }
      this.cache = { models, byId: new Map(models.map((m) => [m.id, m])), fetchedAt: this.now() };
      this.failedAt = null;
    } catch (err) {
      this.failedAt = this.now();
      this.opts.logger?.warn({ err: (err as Error).message }, 'could not fetch the AI model list; serving the cached or default list');
    }
  }
}

/** Builds the catalog from configuration. */
export function createModelCatalog(config: Config, logger: Logger): ModelCatalog {
  return new ModelCatalog({
    baseUrl: config.openrouterBaseUrl,
    apiKey: config.openrouterApiKey,
    publicUrl: config.publicUrl,
    defaultModel: config.aiModel,
    logger,
  });
}

/** The configured default when nothing is known about it: no images, tools allowed. */
function fallbackModel(id: string): ModelInfo {
  return { id, name: id, contextLength: null, supportsImages: false, supportsTools: true, pricing: { prompt: null, completion: null } };
}

interface RawModel {
  id?: unknown;
  name?: unknown;
  context_length?: unknown;
  architecture?: { input_modalities?: unknown; output_modalities?: unknown; modality?: unknown };
  supported_parameters?: unknown;
  pricing?: { prompt?: unknown; completion?: unknown };
}

/** Maps one OpenRouter entry; skips malformed and non-text-output models. */
export function toModelInfo(raw: unknown): ModelInfo | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as RawModel;
  if (typeof m.id !== 'string' || !m.id) return null;
  const arch = m.architecture ?? {};
  const modality = typeof arch.modality === 'string' ? arch.modality : '';
  const inputs = Array.isArray(arch.input_modalities) ? arch.input_modalities : modality.split('->')[0].split('+');
  const outputs = Array.isArray(arch.output_modalities) ? arch.output_modalities : modality ? modality.split('->')[1]?.split('+') ?? [] : ['text'];
  if (!outputs.includes('text')) return null;
  const params = Array.isArray(m.supported_parameters) ? m.supported_parameters : [];
  return {
    id: m.id,
    name: typeof m.name === 'string' && m.name ? m.name : m.id,
    contextLength: typeof m.context_length === 'number' && m.context_length > 0 ? m.context_length : null,
    supportsImages: inputs.includes('image'),
    supportsTools: params.includes('tools'),
    pricing: { prompt: price(m.pricing?.prompt), completion: price(m.pricing?.completion) },
  };
}

function price(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
  return Number.isFinite(n) && n >= 0 ? n : null;
}
