import MarkdownIt from 'markdown-it';

/**
 * Safe Markdown for chat messages (humans' and the assistant's, both untrusted):
 * - raw HTML is never passed through (`html: false` escapes it as text);
 * - links only with http(s) targets; anything else (javascript:, data:, vbscript:, mailto:,
 *   relative) stays plain text; every link opens a new tab with rel="noopener noreferrer";
 * - no images from Markdown (no tracking pixels; attachments are shown separately);
 * - no inline style attributes (table alignment), which the page's CSP would refuse anyway.
 */
const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
md.disable(['image']);

/** Only absolute http(s) URLs may become links. */
export function isSafeHref(url: string): boolean {
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed)) return false;
  try {
    const u = new URL(trimmed);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

md.validateLink = isSafeHref;

const renderToken: NonNullable<typeof md.renderer.rules.link_open> = (tokens, idx, options, _env, self) =>
  self.renderToken(tokens, idx, options);

md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return renderToken(tokens, idx, options, env, self);
};

for (const rule of ['th_open', 'td_open'] as const) {
  md.renderer.rules[rule] = (tokens, idx, options, env, self) => {
    const token = tokens[idx];
    const i = token.attrIndex('style');
    if (i >= 0) token.attrs?.splice(i, 1);
    return renderToken(tokens, idx, options, env, self);
  };
}

/** Renders untrusted Markdown to HTML that is safe to put into the page. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
