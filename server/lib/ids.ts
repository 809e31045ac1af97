import { randomBytes } from 'node:crypto';

/** Opaque 128-bit random id, URL-safe (22 chars). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** Secret-bearing token (invite links, file names): 256 bits, URL-safe. */
export function newToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** Current time as the contract's ISO 8601 UTC string. */
export function nowIso(): string {
  return new Date().toISOString();
}
