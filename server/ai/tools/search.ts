import type { Config } from '../../config.js';
import { BraveSearch } from './brave.js';
import { TavilySearch } from './tavily.js';
import type { SearchPort } from './types.js';

export type SearchConfig = Pick<Config, 'searchProvider' | 'tavilyApiKey' | 'tavilyBaseUrl' | 'braveApiKey' | 'braveBaseUrl'>;

/**
 * Builds the configured search provider, or null when SEARCH_PROVIDER is `none` or its key is
 * missing (config already warned the operator); the orchestrator then omits `web_search`.
 */
export function createSearchPort(config: SearchConfig, opts: { timeoutMs?: number } = {}): SearchPort | null {
  if (config.searchProvider === 'tavily' && config.tavilyApiKey) {
    return new TavilySearch({ apiKey: config.tavilyApiKey, baseUrl: config.tavilyBaseUrl, timeoutMs: opts.timeoutMs });
  }
  if (config.searchProvider === 'brave' && config.braveApiKey) {
    return new BraveSearch({ apiKey: config.braveApiKey, baseUrl: config.braveBaseUrl, timeoutMs: opts.timeoutMs });
  }
  return null;
}
