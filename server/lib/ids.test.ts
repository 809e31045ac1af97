import { describe, expect, it } from 'vitest';
import { newId, newToken } from './ids.js';

describe('ids', () => {
  it('makes 26-character time-ordered ids that sort by creation time', () => {
    const a = newId(1_700_000_000_000);
    const b = newId(1_700_000_000_001);
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId(5))).size).toBe(1000);
  });

  it('makes URL-safe secret tokens of the requested size', () => {
    expect(Buffer.from(newToken(), 'base64url')).toHaveLength(32);
    expect(newToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });
});
