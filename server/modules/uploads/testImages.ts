import { deflateSync } from 'node:zlib';

/**
 * Tiny, decodable images built byte by byte for tests (no fixtures, no image library).
 * Test-only helper: nothing in the server imports it.
 */

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A gray 8-bit RGB PNG of w×h pixels, with correct CRCs and zlib data. */
export function makePng(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc(h * (1 + w * 3), 0x80);
  for (let y = 0; y < h; y++) raw[y * (1 + w * 3)] = 0; // filter type None per scanline
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A black GIF89a of w×h pixels. The LZW stream sends a clear code every two pixels so the code
 * size stays at 3 bits, which any decoder accepts.
 */
export function makeGif(w: number, h: number): Buffer {
  const codes: number[] = [];
  for (let i = 0; i < w * h; i++) {
    if (i % 2 === 0) codes.push(4); // clear
    codes.push(0);
  }
  codes.push(5); // end of information
  const bytes: number[] = [];
  let acc = 0;
  let nbits = 0;
  for (const code of codes) {
    acc |= code << nbits;
    nbits += 3;
    while (nbits >= 8) {
      bytes.push(acc & 0xff);
      acc >>= 8;
      nbits -= 8;
    }
  }
  if (nbits > 0) bytes.push(acc & 0xff);
  const blocks: number[] = [];
  for (let i = 0; i < bytes.length; i += 255) {
    const part = bytes.slice(i, i + 255);
    blocks.push(part.length, ...part);
  }
  const le = (n: number) => [n & 0xff, n >> 8];
  return Buffer.from([
    ...Buffer.from('GIF89a', 'ascii'),
    ...le(w), ...le(h), 0x80, 0, 0, // global colour table of 2 entries
    0, 0, 0, 0xff, 0xff, 0xff,
    0x2c, ...le(0), ...le(0), ...le(w), ...le(h), 0, // image descriptor
    2, ...blocks, 0, // min code size, data sub-blocks, terminator
    0x3b,
  ]);
}

/**
 * A gray baseline JPEG of w×h pixels (one component). Each Huffman table holds a single
 * one-bit code (DC difference 0, AC end-of-block), so every 8×8 block is the two bits `00`.
 */
export function makeJpeg(w: number, h: number): Buffer {
  const seg = (marker: number, data: number[]) => [0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 0xff, ...data];
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
  const bits = blocks * 2;
  const scan = new Array<number>(Math.ceil(bits / 8)).fill(0);
  if (bits % 8) scan[scan.length - 1] = (1 << (8 - (bits % 8))) - 1; // pad with 1 bits
  const oneCode = [1, ...new Array<number>(15).fill(0)]; // code counts per length 1..16
  return Buffer.from([
    0xff, 0xd8,
    ...seg(0xe0, [...Buffer.from('JFIF\0', 'ascii'), 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...seg(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...seg(0xc0, [8, h >> 8, h & 0xff, w >> 8, w & 0xff, 1, 1, 0x11, 0]),
    ...seg(0xc4, [0x00, ...oneCode, 0]), // DC table 0: symbol 0 (difference 0)
    ...seg(0xc4, [0x10, ...oneCode, 0]), // AC table 0: symbol 0x00 (end of block)
    ...seg(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...scan,
    0xff, 0xd9,
  ]);
}

/** 1×1 WebP files in the three first-chunk flavours (well-known feature-detection images). */
export const WEBP_1X1 = {
  lossless: Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64'),
  lossy: Buffer.from('UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA', 'base64'),
  extended: Buffer.from(
    'UklGRkoAAABXRUJQVlA4WAoAAAAQAAAAAAAAAAAAQUxQSAwAAAARBxAR/Q9ERP8DAABWUDggGAAAABQBAJ0BKgEAAQAAAP4AAA3AAP7mtQAAAA==',
    'base64',
  ),
};
