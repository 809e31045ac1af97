import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, stripTags } from './htmlText.js';

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references and leaves unknown names alone', () => {
    expect(decodeEntities('a &amp; b &lt;c&gt; &quot;d&quot; &#39;e&#39; caf&eacute; &#x1F600; &#8212; &bogus; &amp')).toBe(
      `a & b <c> "d" 'e' café 😀 — &bogus; &`,
    );
    expect(decodeEntities('&#0; &#xD800; &#x110000;')).toBe('\uFFFD \uFFFD \uFFFD');
  });
});

describe('stripTags', () => {
  it('removes markup and collapses whitespace in a snippet', () => {
    expect(stripTags('  The <strong>best</strong>\n <em>pizza</em> &amp; pasta<!-- x --> ')).toBe('The best pizza & pasta');
  });
});

describe('htmlToText', () => {
  it('keeps the title and prose, drops scripts, styles and page chrome', () => {
    const { title, text } = htmlToText(`<html><head><title> Hello &amp; welcome </title><style>p{}</style></head>
      <body><nav><a>Home</a><nav><a>Nested</a></nav><a>Still nav</a></nav>
      <header>Banner</header><h1>Main heading</h1><p>Para <i>one</i>.</p><script>alert("<p>x</p>")</script>
      <div>Block two</div><footer>Foot</footer><p>After footer</p></body></html>`);
    expect(title).toBe('Hello & welcome');
    expect(text).toBe('Main heading\n\nPara one.\n\nBlock two\n\nAfter footer');
  });

  it("keeps an article's own header and renders lists, breaks and preformatted text", () => {
    const { text } = htmlToText(
      '<article><header><h2>Post title</h2></header><ul><li>a</li><li>b</li></ul>line<br>next<pre>x  = 1\n  y = 2</pre><table><tr><td>c1</td><td>c2</td></tr></table></article>',
    );
    expect(text).toBe('Post title\n\n- a\n- b\n\nline\nnext\n\nx  = 1\n  y = 2\n\nc1 c2');
  });

  it('treats stray "<" as text and survives quoted ">" in attributes', () => {
    expect(htmlToText('<p title="a>b">1 < 2 and 3 <4</p>').text).toBe('1 < 2 and 3 <4');
    expect(htmlToText("<img alt=Don't>ok").text).toBe('ok');
  });

  it('returns an empty title when there is none and ignores an <svg> title', () => {
    expect(htmlToText('<svg><title>icon</title></svg><p>body</p>')).toEqual({ title: '', text: 'body' });
  });

  it('stays linear on hostile markup', () => {
    const inputs = ['<a '.repeat(300_000), '<a b="'.repeat(200_000), '<a b=\'x\' '.repeat(200_000), '<!--'.repeat(300_000), '<nav>'.repeat(200_000)];
    for (const html of inputs) {
      const t0 = performance.now();
      htmlToText(html);
      expect(performance.now() - t0).toBeLessThan(1500);
    }
  });
});
