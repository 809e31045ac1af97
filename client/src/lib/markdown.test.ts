import { describe, expect, it } from 'vitest';
import { isSafeHref, renderMarkdown } from './markdown.js';

/** Every opening tag name in the output, to assert nothing unexpected got through. */
function tags(html: string): string[] {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b/g)].map((m) => m[1].toLowerCase());
}

const ALLOWED = new Set(['p', 'a', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'blockquote', 'br', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 's']);

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const html = renderMarkdown('**bold** _it_ `x < y`\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>it</em>');
    expect(html).toContain('<code>x &lt; y</code>');
    expect(html).toContain('<li>one</li>');
  });

  it.each([
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload=alert(1)>',
    '<style>body{display:none}</style>',
    'text <b onmouseover="alert(1)">hover</b>',
  ])('never passes raw HTML through: %s', (input) => {
    const html = renderMarkdown(input);
    for (const t of tags(html)) expect(ALLOWED.has(t), `unexpected <${t}> in ${html}`).toBe(true);
    expect(html).toContain('&lt;');
    expect(html).not.toMatch(/<[^>]+\son\w+=/i);
  });

  it('keeps HTML inside code blocks as text', () => {
    const html = renderMarkdown('```\n<script>alert(1)</script>\n```');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(tags(html)).toEqual(['pre', 'code']);
  });

  it('makes http(s) links open safely in a new tab', () => {
    const html = renderMarkdown('[docs](https://example.com/a?b=1&c=2)');
    expect(html).toBe('<p><a href="https://example.com/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">docs</a></p>\n');
  });

  it('links bare URLs (linkify) with the same attributes', () => {
    const html = renderMarkdown('see https://example.org/page');
    expect(html).toContain('<a href="https://example.org/page" target="_blank" rel="noopener noreferrer">');
  });

  it.each([
    '[x](javascript:alert(1))',
    '[x](JaVaScRiPt:alert(1))',
    '[x](  javascript:alert(1))',
    '[x](java\tscript:alert(1))',
    '[x](data:text/html;base64,PHNjcmlwdD4=)',
    '[x](vbscript:msgbox(1))',
    '[x](file:///etc/passwd)',
    '[x](mailto:a@b.example)',
    '[x](/relative/path)',
    '[x](//evil.example/protocol-relative)',
    '<javascript:alert(1)>',
    'write to someone@example.com',
  ])('never makes a link that is not http(s): %s', (input) => {
    const html = renderMarkdown(input);
    expect(html).not.toMatch(/<a\b/);
  });

  it('does not let a link title or URL break out of the attribute', () => {
    const html = renderMarkdown('[x](https://example.com/"onmouseover="alert(1) "t\\"onclick=alert(2)")');
    expect(html).not.toMatch(/<a[^>]*\son(mouseover|click)=/i);
  });

  it('renders no images (no tracking pixels); the alt text stays as text', () => {
    const html = renderMarkdown('![pixel](https://tracker.example/p.gif)');
    expect(tags(html)).not.toContain('img');
  });

  it('drops inline styles from aligned tables (the CSP forbids them)', () => {
    const html = renderMarkdown('| a | b |\n|:-:|--:|\n| 1 | 2 |');
    expect(html).toContain('<table>');
    expect(html).not.toContain('style=');
  });
});

describe('isSafeHref', () => {
  it('accepts only absolute http(s) URLs', () => {
    expect(isSafeHref('https://example.com')).toBe(true);
    expect(isSafeHref('HTTP://EXAMPLE.COM/x')).toBe(true);
    expect(isSafeHref('javascript:alert(1)')).toBe(false);
    expect(isSafeHref('https://')).toBe(false);
    expect(isSafeHref('/x')).toBe(false);
  });
});
