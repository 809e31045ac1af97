import type { FetchedPage, FetchPageOptions } from './tools/fetchPage.js';
import { fetchPageArgs, fetchPageTool, isToolError, parseToolArgs, ToolError, webSearchArgs, webSearchTool, type SearchPort } from './tools/types.js';
import type { LlmTool } from './llm.js';

export interface ToolOutcome {
  status: 'finished' | 'failed';
  /** Parsed input as shown in ai_tool frames (raw text when it did not parse). */
  input: unknown;
  /** One line for the room. */
  summary: string;
  sources: Array<{ title: string; url: string }>;
  /** What the model reads back as the tool message. */
  result: string;
}

export interface ToolPorts {
  search: SearchPort | null;
  fetchPage: (url: string, opts: FetchPageOptions) => Promise<FetchedPage>;
  fetchOptions: FetchPageOptions;
}

/** Tools offered for a room: web_search when allowed and configured, fetch_page with web access on. */
export function toolsFor(ports: ToolPorts, webAccess: boolean): LlmTool[] {
  if (!webAccess) return [];
  return [...(ports.search ? [webSearchTool] : []), fetchPageTool] as LlmTool[];
}

const quote = (s: string, n = 80) => `“${s.length > n ? `${s.slice(0, n - 1)}…` : s}”`;

/** Runs one tool call; failures become a `failed` outcome the model and the room can read. */
export async function runTool(ports: ToolPorts, name: string, rawArgs: string, signal: AbortSignal): Promise<ToolOutcome> {
  let input: unknown = rawArgs;
  try {
    if (name === 'web_search') {
      if (!ports.search) throw new ToolError('search_failed', 'Web search is not available');
      const args = parseToolArgs(webSearchArgs, rawArgs);
      input = args;
      const results = await ports.search.search(args.query, { signal, maxResults: args.max_results ?? 5 });
      return {
        status: 'finished',
        input,
        summary: `${results.length} result${results.length === 1 ? '' : 's'} for ${quote(args.query)}`,
        sources: results.map((r) => ({ title: r.title, url: r.url })),
        result: JSON.stringify(results.map((r, i) => ({ n: i + 1, title: r.title, url: r.url, snippet: r.snippet }))),
      };
    }
    if (name === 'fetch_page') {
      const args = parseToolArgs(fetchPageArgs, rawArgs);
      input = args;
      const page = await ports.fetchPage(args.url, { ...ports.fetchOptions, signal });
      const title = page.title || page.url;
      return {
        status: 'finished',
        input,
        summary: `Read ${quote(title)}${page.truncated ? ' (truncated)' : ''}`,
        sources: [{ title, url: page.url }],
        result: `Title: ${page.title}\nURL: ${page.url}\n\n${page.text}`,
      };
    }
    return { status: 'failed', input, summary: `Unknown tool ${name}`, sources: [], result: `Error: there is no tool named ${name}` };
  } catch (err) {
    const message = isToolError(err) ? err.message : 'The tool failed unexpectedly';
    return { status: 'failed', input, summary: message, sources: [], result: `Error: ${message}` };
  }
}
