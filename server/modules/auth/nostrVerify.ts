import { verifyEvent } from 'nostr-tools/pure';
import { authEventLimits, eventSchema, NOSTR_AUTH_KIND, type EventLimits, type NostrEvent } from './nostrSchema.js';

/** Why an event was refused; logged, never shown to the client (it gets one generic 401). */
export type NostrRejectReason =
  | 'too_large'
  | 'bad_shape'
  | 'wrong_kind'
  | 'bad_tags'
  | 'wrong_url'
  | 'wrong_method'
  | 'stale'
  | 'bad_challenge'
  | 'bad_signature'
  | 'challenge_invalid';

/** What the server expects of a sign-in event; `url` comes from configuration, never from the request. */
export interface AuthExpectation {
  url: string;
  method: string;
  nowSeconds: number;
  /** Largest allowed |now - created_at| in seconds. */
  maxSkewSeconds: number;
}

export type ParseResult = { ok: true; event: NostrEvent } | { ok: false; reason: 'too_large' | 'bad_shape' };
export type AuthCheckResult = { ok: true; event: NostrEvent; challenge: string } | { ok: false; reason: NostrRejectReason };

const CHALLENGE = /^[0-9a-f]{64}$/;

/** JSON size of a value, or Infinity when it cannot be serialized (cycles never come from JSON). */
function jsonSize(value: unknown): number {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  } catch {
    return Infinity;
  }
}

/** Checks size then strict shape; returns a fresh object holding only the 7 event fields. */
export function parseEvent(input: unknown, limits: EventLimits = authEventLimits): ParseResult {
  if (jsonSize(input) > limits.maxJsonBytes) return { ok: false, reason: 'too_large' };
  const parsed = eventSchema(limits).safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'bad_shape' };
  const e = parsed.data;
  return {
    ok: true,
    event: {
      id: e.id,
      pubkey: e.pubkey,
      created_at: e.created_at,
      kind: e.kind,
      tags: e.tags.map((t) => [...t]),
      content: e.content,
      sig: e.sig,
    },
  };
}

/**
 * Verifies id and Schnorr signature on a fresh copy holding only the 7 fields, so no cached
 * nostr-tools "verified" flag and no extra field can influence the result.
 */
export function verifySignature(event: NostrEvent): boolean {
  const fresh = {
    id: event.id,
    pubkey: event.pubkey,
    created_at: event.created_at,
    kind: event.kind,
    tags: event.tags.map((t) => [...t]),
    content: event.content,
    sig: event.sig,
  };
  try {
    return verifyEvent(fresh);
  } catch {
    return false;
  }
}

/** The single value of a tag that must occur exactly once with a non-empty value, else null. */
function singleTag(tags: string[][], name: string): string | null {
  const found = tags.filter((t) => t[0] === name);
  if (found.length !== 1) return null;
  const value = found[0][1];
  return typeof value === 'string' && value !== '' ? value : null;
}

/**
 * The sign-in checklist of notes/nostr.md §4, in order, short of consuming the challenge
 * (the caller does that only after this passes, so nobody can burn a victim's challenge).
 */
export function checkAuthEvent(input: unknown, expect: AuthExpectation): AuthCheckResult {
  const parsed = parseEvent(input, authEventLimits);
  if (!parsed.ok) return parsed;
  const event = parsed.event;
  if (event.kind !== NOSTR_AUTH_KIND) return { ok: false, reason: 'wrong_kind' };
  const u = singleTag(event.tags, 'u');
  const method = singleTag(event.tags, 'method');
  const challenge = singleTag(event.tags, 'challenge');
  if (u === null || method === null || challenge === null) return { ok: false, reason: 'bad_tags' };
  if (u !== expect.url) return { ok: false, reason: 'wrong_url' };
  if (method !== expect.method) return { ok: false, reason: 'wrong_method' };
  if (Math.abs(expect.nowSeconds - event.created_at) > expect.maxSkewSeconds) return { ok: false, reason: 'stale' };
  if (!CHALLENGE.test(challenge)) return { ok: false, reason: 'bad_challenge' };
  if (!verifySignature(event)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, event, challenge };
}
