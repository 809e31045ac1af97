import { describe, expect, it } from 'vitest';
import { detectImage } from './imageInfo.js';
import { makeGif, makeJpeg, makePng, WEBP_1X1 } from './testImages.js';

const bytes = (...parts: Array<number[] | string>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));
const u32be = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, n >> 8];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const u32le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];

const PNG_SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const pngHeader = (w: number, h: number) => bytes(PNG_SIG, u32be(13), 'IHDR', u32be(w), u32be(h), [8, 6, 0, 0, 0], u32be(0));
const riff = (chunk: string, payload: number[]) => bytes('RIFF', u32le(4 + 8 + payload.length), 'WEBP', chunk, u32le(payload.length), payload);

describe('detectImage', () => {
  it('reads PNG dimensions from IHDR (including sizes past 16 bits)', () => {
    expect(detectImage(pngHeader(640, 480))).toEqual({ type: 'png', mime: 'image/png', ext: '.png', width: 640, height: 480 });
    expect(detectImage(pngHeader(70_000, 3))).toMatchObject({ width: 70_000, height: 3 });
    expect(detectImage(makePng(3, 2))).toMatchObject({ type: 'png', width: 3, height: 2 });
  });

  it('rejects PNGs whose first chunk is not IHDR, truncated headers and zero sizes', () => {
    expect(detectImage(bytes(PNG_SIG, u32be(13), 'IDAT', u32be(1), u32be(1)))).toBeNull();
    expect(detectImage(pngHeader(10, 10).subarray(0, 20))).toBeNull();
    expect(detectImage(pngHeader(0, 10))).toBeNull();
    expect(detectImage(bytes(PNG_SIG))).toBeNull();
  });

  it('reads GIF87a and GIF89a logical screen sizes (little-endian)', () => {
    expect(detectImage(bytes('GIF89a', u16le(300), u16le(2), [0, 0, 0]))).toEqual({ type: 'gif', mime: 'image/gif', ext: '.gif', width: 300, height: 2 });
    expect(detectImage(bytes('GIF87a', u16le(1), u16le(65535)))).toMatchObject({ width: 1, height: 65535 });
    expect(detectImage(makeGif(5, 3))).toMatchObject({ type: 'gif', width: 5, height: 3 });
    expect(detectImage(bytes('GIF88a', u16le(1), u16le(1)))).toBeNull();
    expect(detectImage(bytes('GIF89a', [1, 0]))).toBeNull();
  });

  it('walks JPEG segments to the start-of-frame marker', () => {
    const app1 = [0xff, 0xe1, 0x00, 0x10, ...new Array(14).fill(0xaa)];
    const dht = [0xff, 0xc4, 0x00, 0x03, 0x00];
    const sof2 = [0xff, 0xc2, 0x00, 0x0b, 8, 0x01, 0xe0, 0x02, 0x80, 1, 1, 0x11, 0];
    expect(detectImage(bytes([0xff, 0xd8], app1, dht, [0xff, 0xff], sof2))).toEqual({
      type: 'jpeg', mime: 'image/jpeg', ext: '.jpg', width: 640, height: 480,
    });
    expect(detectImage(makeJpeg(17, 9))).toMatchObject({ type: 'jpeg', width: 17, height: 9 });
  });

  it('rejects JPEGs without a frame header before the scan, or with broken segments', () => {
    const sos = [0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 63, 0];
    expect(detectImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0, 0], sos))).toBeNull();
    expect(detectImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x01]))).toBeNull(); // length < 2
    expect(detectImage(bytes([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x40, 0, 0]))).toBeNull(); // runs off the end
    expect(detectImage(bytes([0xff, 0xd8, 0xff, 0xc0, 0x00, 0x0b, 8, 0, 0, 0, 10]))).toBeNull(); // height 0 / truncated
    expect(detectImage(bytes([0xff, 0xd8, 0x00, 0x00]))).toBeNull();
  });

  it('reads WebP VP8, VP8L and VP8X sizes', () => {
    const vp8 = riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, ...u16le(301), ...u16le(77 | 0x4000), 0, 0]); // scale bits ignored
    expect(detectImage(vp8)).toEqual({ type: 'webp', mime: 'image/webp', ext: '.webp', width: 301, height: 77 });
    const w = 300 - 1;
    const h = 7 - 1;
    const bits = (w | (h << 14)) >>> 0;
    expect(detectImage(riff('VP8L', [0x2f, ...u32le(bits), 0, 0, 0, 0, 0]))).toMatchObject({ width: 300, height: 7 });
    expect(detectImage(riff('VP8X', [0x10, 0, 0, 0, ...u24le(123 - 1), ...u24le(20_000 - 1), 0, 0]))).toMatchObject({ width: 123, height: 20_000 });
    for (const file of Object.values(WEBP_1X1)) expect(detectImage(file)).toMatchObject({ type: 'webp', width: 1, height: 1 });
  });

  it('rejects WebP with a bad start code, signature or unknown chunk, and other RIFF files', () => {
    expect(detectImage(riff('VP8 ', [0x30, 0x01, 0x00, 0x9d, 0x01, 0x2b, 1, 0, 1, 0, 0, 0]))).toBeNull();
    expect(detectImage(riff('VP8L', [0x2e, 0, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeNull();
    expect(detectImage(riff('ALPH', new Array(12).fill(0)))).toBeNull();
    expect(detectImage(bytes('RIFF', u32le(100), 'WAVEfmt ', new Array(20).fill(0)))).toBeNull();
  });

  it('rejects SVG, HTML, text, empty input and polyglot-looking prefixes', () => {
    for (const text of [
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
      '<?xml version="1.0"?><svg/>',
      '<!DOCTYPE html><html><script>alert(1)</script></html>',
      'hello, I am a .png',
      '%PDF-1.7',
      ' GIF89a\x01\x00\x01\x00', // leading byte before the magic
      '\ufeffGIF89a\x01\x00\x01\x00',
    ]) {
      expect(detectImage(Buffer.from(text))).toBeNull();
    }
    expect(detectImage(Buffer.alloc(0))).toBeNull();
    expect(detectImage(Buffer.from([0x89, 0x50]))).toBeNull();
  });
});
