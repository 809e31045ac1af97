/**
 * A compact HTML → readable text extractor for fetch_page. A tag scanner (not a DOM) is enough here:
 * the model needs the prose, not a faithful tree, and this keeps the tool free of heavy parser deps.
 */

const NAMED: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ',
  copy: '©', reg: '®', trade: '™', hellip: '…', mdash: '—', ndash: '–', minus: '−',
  lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„', laquo: '«', raquo: '»',
  lsaquo: '‹', rsaquo: '›', bull: '•', middot: '·', times: '×', divide: '÷', deg: '°', plusmn: '±',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', para: '¶', dagger: '†', Dagger: '‡',
  shy: '', zwj: '', zwnj: '', lrm: '', rlm: '', iexcl: '¡', iquest: '¿', micro: 'µ', frac12: '½',
  frac14: '¼', frac34: '¾', sup2: '²', sup3: '³', larr: '←', rarr: '→', uarr: '↑', darr: '↓', harr: '↔',
  le: '≤', ge: '≥', ne: '≠', asymp: '≈', infin: '∞', hearts: '♥', check: '✓', prime: '′', Prime: '″',
  auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß', eacute: 'é', egrave: 'è',
  ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â', iacute: 'í', oacute: 'ó', uacute: 'ú', ntilde: 'ñ',
  ccedil: 'ç', Eacute: 'É', aring: 'å', oslash: 'ø', aelig: 'æ',
};

/** Decodes numeric and common named character references; unknown names are left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?/g, (m, dec, hex, name) => {
    if (name !== undefined) return Object.hasOwn(NAMED, name) ? NAMED[name] : m;
    const cp = dec !== undefined ? Number(dec) : parseInt(hex, 16);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return '\uFFFD';
    return String.fromCodePoint(cp);
  });
}

/** Removes tags and entities from a short fragment (search snippets) and collapses whitespace. */
export function stripTags(s: string): string {
  return decodeEntities(s.replace(/<!--[\s\S]*?-->/g, '').replace(/<\/?[A-Za-z][^>]*>/g, ''))
    .replace(/\s+/g, ' ')
    .trim();
}

/** Elements whose content is raw text: skipped without scanning it for tags. */
const RAW = new Set(['script', 'style', 'title', 'textarea', 'noscript', 'xmp', 'iframe', 'noembed', 'noframes']);
/** Elements dropped with everything inside them (page chrome and non-text). */
const SKIP = new Set(['head', 'nav', 'header', 'footer', 'svg', 'math', 'template', 'object', 'canvas', 'select', 'dialog']);
/** header/footer inside these are part of the content (an article's own heading), so they are kept. */
const CONTENT = new Set(['article', 'main']);
const BLOCK = new Set([
  'p', 'div', 'section', 'article', 'main', 'aside', 'ul', 'ol', 'dl', 'dt', 'dd', 'table', 'tr', 'blockquote',
  'pre', 'figure', 'figcaption', 'address', 'details', 'summary', 'form', 'fieldset', 'body', 'caption', 'center',
]);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

interface Tag {
  /** Index just past the tag's `>`. */
  end: number;
  /** Lower-case tag name, or '' for comments, doctypes and processing instructions. */
  name: string;
  closing: boolean;
  selfClosing: boolean;
}

const NAME = /\/?([A-Za-z][A-Za-z0-9:-]*)/y;

/**
 * Reads the markup starting at `lt` (a '<'). Returns null when it is plain text ("a < b"), and
 * 'eof' when the tag never closes (the rest of the document is then inside a broken tag).
 * Every character is visited a bounded number of times, so hostile input stays linear.
 */
function readTag(html: string, lt: number): Tag | null | 'eof' {
  if (html.startsWith('<!--', lt)) {
    const e = html.indexOf('-->', lt + 4);
    return e === -1 ? 'eof' : { end: e + 3, name: '', closing: false, selfClosing: true };
  }
  const c = html[lt + 1];
  if (c === '!' || c === '?') {
    const e = html.indexOf('>', lt + 2);
    return e === -1 ? 'eof' : { end: e + 1, name: '', closing: false, selfClosing: true };
  }
  NAME.lastIndex = lt + 1;
  const m = NAME.exec(html);
  if (!m) return null;
  let prev = '';
  for (let j = NAME.lastIndex; j < html.length; j++) {
    const ch = html[j];
    if ((ch === '"' || ch === "'") && prev === '=') {
      const q = html.indexOf(ch, j + 1);
      if (q === -1) return 'eof';
      j = q;
      prev = ch;
      continue;
    }
    if (ch === '>') {
      const name = m[1].toLowerCase();
      return { end: j + 1, name, closing: m[0][0] === '/', selfClosing: prev === '/' || VOID.has(name) };
    }
    if (!/\s/.test(ch)) prev = ch;
  }
  return 'eof';
}

class TextOut {
  private parts: string[] = [];
  private newlines = 0;
  private atLineStart = true;

  text(s: string, pre: boolean): void {
    let t = pre ? s.replace(/\r\n?/g, '\n') : s.replace(/\s+/g, ' ');
    if (this.newlines > 0 && this.parts.length > 0) {
      if (!pre && t.trim() === '') return; // whitespace between blocks: let the pending break stand
      this.parts.push('\n'.repeat(this.newlines));
      this.atLineStart = true;
    }
    this.newlines = 0;
    if (this.atLineStart && !pre) t = t.replace(/^ +/, '');
    if (!t) return;
    this.parts.push(t);
    this.atLineStart = t.endsWith('\n');
  }

  /** Requests a line break (1) or a blank line (2) before the next text. */
  brk(n: 1 | 2): void {
    this.newlines = Math.max(this.newlines, n);
  }

  toString(): string {
    return this.parts
      .join('')
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim();
  }
}

/** Extracts the `<title>` and the readable body text of an HTML document. */
export function htmlToText(html: string): { title: string; text: string } {
  const lower = html.toLowerCase();
  const out = new TextOut();
  let title = '';
  let skipName: string | null = null;
  let skipNest = 0;
  let contentDepth = 0;
  let preDepth = 0;
  let last = 0;

  const emit = (from: number, to: number) => {
    if (skipName === null && to > from) out.text(decodeEntities(html.slice(from, to)), preDepth > 0);
  };
  for (let lt = html.indexOf('<'); lt !== -1; lt = html.indexOf('<', lt + 1)) {
    const tag = readTag(html, lt);
    if (tag === null) continue;
    emit(last, lt);
    if (tag === 'eof') {
      last = html.length;
      break;
    }
    last = tag.end;
    lt = tag.end - 1;
    const { name, closing, selfClosing } = tag;
    if (!name) continue;

    if (!closing && RAW.has(name)) {
      const end = lower.indexOf(`</${name}`, last);
      const body = html.slice(last, end === -1 ? html.length : end);
      if (name === 'title' && !title && skipName !== 'svg') title = decodeEntities(body).replace(/\s+/g, ' ').trim();
      if (name === 'textarea' && skipName === null) out.text(decodeEntities(body), false);
      const close = end === -1 ? -1 : html.indexOf('>', end);
      last = close === -1 ? html.length : close + 1;
      lt = last - 1;
      continue;
    }
    if (skipName !== null) {
      if (name === skipName && !selfClosing) skipNest += closing ? -1 : 1;
      if (skipNest === 0) skipName = null;
      continue;
    }
    if (!closing && !selfClosing && SKIP.has(name) && !((name === 'header' || name === 'footer') && contentDepth > 0)) {
      skipName = name;
      skipNest = 1;
      continue;
    }
    if (CONTENT.has(name) && !selfClosing) contentDepth = Math.max(0, contentDepth + (closing ? -1 : 1));
    if (name === 'pre' && !selfClosing) preDepth = Math.max(0, preDepth + (closing ? -1 : 1));

    if (name === 'br') out.text('\n', true);
    else if (name === 'li') {
      out.brk(1);
      if (!closing) out.text('- ', false);
    } else if (/^h[1-6]$/.test(name) || name === 'hr') out.brk(2);
    else if (['p', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl'].includes(name)) out.brk(2);
    else if (BLOCK.has(name)) out.brk(1);
    else if ((name === 'td' || name === 'th') && !closing) out.text(' ', false);
  }
  emit(last, html.length);
  return { title, text: out.toString() };
}
