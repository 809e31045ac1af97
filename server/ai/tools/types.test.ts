import { describe, expect, it } from 'vitest';
import { fetchPageArgs, fetchPageTool, parseToolArgs, ToolError, webSearchArgs, webSearchTool } from './types.js';

describe('tool schemas', () => {
  it('describe web_search and fetch_page as OpenAI function tools', () => {
    expect(webSearchTool).toMatchObject({
      type: 'function',
      function: { name: 'web_search', parameters: { type: 'object', required: ['query'], additionalProperties: false } },
    });
    expect(Object.keys((webSearchTool.function.parameters as any).properties)).toEqual(['query', 'max_results']);
    expect(fetchPageTool).toMatchObject({ type: 'function', function: { name: 'fetch_page', parameters: { required: ['url'] } } });
    expect(JSON.parse(JSON.stringify([webSearchTool, fetchPageTool]))).toEqual([webSearchTool, fetchPageTool]);
  });

  it('parses model arguments and names the bad field', () => {
    expect(parseToolArgs(webSearchArgs, '{"query":" rust 2026 ","max_results":3}')).toEqual({ query: 'rust 2026', max_results: 3 });
    expect(parseToolArgs(fetchPageArgs, '{"url":"https://example.com"}')).toEqual({ url: 'https://example.com' });
    const bad = (raw: string) => {
      try {
        parseToolArgs(webSearchArgs, raw);
      } catch (e) {
        expect(e).toBeInstanceOf(ToolError);
        expect((e as ToolError).code).toBe('bad_arguments');
        return (e as ToolError).message;
      }
      throw new Error('expected a failure');
    };
    expect(bad('{"query":')).toMatch(/JSON/);
    expect(bad('{"max_results":3}')).toMatch(/^query/);
    expect(bad('{"query":"x","max_results":50}')).toMatch(/^max_results/);
    expect(bad('')).toMatch(/^query/);
  });
});
