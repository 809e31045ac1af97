import { useMemo } from 'preact/hooks';
import { renderMarkdown } from '../lib/markdown.js';

/** Message text rendered through the safe Markdown renderer (raw HTML is never passed through). */
export function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div class="md" dangerouslySetInnerHTML={{ __html: html }} />;
}
