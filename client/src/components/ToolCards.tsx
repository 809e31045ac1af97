import type { ToolCard } from '../lib/streams.js';
import type { Source } from '../lib/types.js';
import { isSafeHref } from '../lib/markdown.js';

function describeInput(input: unknown): string {
  if (input && typeof input === 'object') {
    const o = input as Record<string, unknown>;
    const main = o.query ?? o.url;
    if (typeof main === 'string') return main;
  }
  return typeof input === 'string' ? input : '';
}

const LABELS: Record<string, string> = { web_search: 'Web search', fetch_page: 'Read page' };

/** The sources an answer used, as safe external links. */
export function Sources({ sources }: { sources: Source[] }) {
  const safe = sources.filter((s) => isSafeHref(s.url));
  if (safe.length === 0) return null;
  return (
    <details class="sources">
      <summary>Sources ({safe.length})</summary>
      <ol>
        {safe.map((s) => (
          <li key={s.url}>
            <a href={s.url} target="_blank" rel="noopener noreferrer">
              {s.title || s.url}
            </a>
          </li>
        ))}
      </ol>
    </details>
  );
}

/** Cards for the assistant's tool calls (web search, page reads) with their status and sources. */
export function ToolCards({ tools }: { tools: Array<Pick<ToolCard, 'name' | 'status' | 'input' | 'summary' | 'sources'> & { callId?: string }> }) {
  if (tools.length === 0) return null;
  return (
    <ul class="tools" aria-label="Tools used">
      {tools.map((t, i) => (
        <li key={t.callId ?? i} class={`tool ${t.status}`}>
          <span class="tool-name">{LABELS[t.name] ?? t.name}</span>
          <span class="tool-input">{describeInput(t.input)}</span>
          <span class="tool-status">{t.status === 'started' ? 'working…' : t.status === 'failed' ? 'failed' : 'done'}</span>
          {t.summary && <p class="tool-summary">{t.summary}</p>}
          {t.sources.length > 0 && <Sources sources={t.sources} />}
        </li>
      ))}
    </ul>
  );
}
