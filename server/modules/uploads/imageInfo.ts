/**
 * Image type and size from the file's own bytes (never its name or declared type). Pure: only
 * headers are parsed, nothing is decoded, so a hostile file costs a few byte comparisons.
 */

export type ImageType = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ImageInfo {
  type: ImageType;
  mime: string;
  /** Extension (with dot) the stored file gets. */
  ext: string;
  width: number;
  height: number;
}

const MIME: Record<ImageType, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const EXT: Record<ImageType, string> = { png: '.png', jpeg: '.jpg', gif: '.gif', webp: '.webp' };

/** Stored extension → content type, for serving (the only extensions we ever write). */
export const MIME_BY_EXT: Record<string, string> = { '.png': MIME.png, '.jpg': MIME.jpeg, '.gif': MIME.gif, '.webp': MIME.webp };

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(b: Uint8Array, sig: number[], at = 0): boolean {
  if (b.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (b[at + i] !== sig[i]) return false;
  return true;
}

function ascii(b: Uint8Array, at: number, len: number): string {
  if (b.length < at + len) return '';
  return String.fromCharCode(...b.subarray(at, at + len));
}

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);

function info(type: ImageType, width: number, height: number): ImageInfo | null {
  if (!(width > 0 && height > 0)) return null;
  return { type, mime: MIME[type], ext: EXT[type], width, height };
}

/** PNG: signature, then the IHDR chunk must come first (width, height as big-endian u32). */
function png(b: Uint8Array): ImageInfo | null {
  if (!startsWith(b, PNG_SIG) || b.length < 24) return null;
  if (u32be(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') return null;
  return info('png', u32be(b, 16), u32be(b, 20));
}

/** GIF87a/GIF89a: logical screen width and height, little-endian u16. */
function gif(b: Uint8Array): ImageInfo | null {
  const sig = ascii(b, 0, 6);
  if ((sig !== 'GIF87a' && sig !== 'GIF89a') || b.length < 10) return null;
  return info('gif', u16le(b, 6), u16le(b, 8));
}

/** SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not. */
function isSof(m: number): boolean {
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

/** JPEG: walk the marker segments from SOI until a start-of-frame (before the first scan). */
function jpeg(b: Uint8Array): ImageInfo | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return null;
  let i = 2;
  while (i < b.length) {
    if (b[i] !== 0xff) return null;
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) return null;
    const marker = b[i++];
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9 || marker === 0xda || marker === 0x00) return null; // EOI / scan before any frame
    if (i + 2 > b.length) return null;
    const len = u16be(b, i);
    if (len < 2) return null;
    if (isSof(marker)) {
      if (len < 7 || i + 7 > b.length) return null;
      return info('jpeg', u16be(b, i + 5), u16be(b, i + 3));
    }
    i += len;
  }
  return null;
}

/** WebP: RIFF container with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk. */
function webp(b: Uint8Array): ImageInfo | null {
  if (ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP' || b.length < 30) return null;
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8 ') {
    // 3-byte frame tag, then the key-frame start code 9D 01 2A, then 14-bit sizes.
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return null;
    return info('webp', u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff);
  }
  if (chunk === 'VP8L') {
    if (b[20] !== 0x2f) return null;
    const bits = (b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24)) >>> 0;
    return info('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') {
    return info('webp', u24le(b, 24) + 1, u24le(b, 27) + 1);
  }
  return null;
}

/**
 * Identifies a PNG, JPEG, GIF or WebP from its leading bytes and reads its dimensions.
 * Returns null for anything else (SVG, HTML, text, truncated or malformed headers).
 */
export function detectImage(bytes: Uint8Array): ImageInfo | null {
  return png(bytes) ?? jpeg(bytes) ?? gif(bytes) ?? webp(bytes);
}
