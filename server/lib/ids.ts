import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Opaque, time-ordered id (ULID layout: 48-bit millisecond time + 80 random bits, 26 Crockford
 * base32 characters). New rows land at the end of the primary-key index instead of on random
 * pages, which keeps inserts cheap on large tables. Not a secret: use newToken() for those.
 */
export function newId(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(10);
  let acc = 0;
  let bits = 0;
  for (const byte of rnd) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** Secret-bearing token (invite links, file names): 256 bits, URL-safe. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Current time as the contract's ISO 8601 UTC string. */
export function nowIso(): string {
  return new Date().toISOString();
}
