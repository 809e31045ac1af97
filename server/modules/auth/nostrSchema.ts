import { z } from 'zod';

/** Kind of the sign-in event (NIP-98 HTTP auth): no client auto-signs it like relay AUTH (22242). */
export const NOSTR_AUTH_KIND = 27235;
/** Kind of user metadata events (NIP-01/NIP-24). */
export const NOSTR_METADATA_KIND = 0;

/** Size bounds of one event; the sign-in event is tiny, a kind-0 profile carries JSON content. */
export interface EventLimits {
  maxTags: number;
  maxTagItems: number;
  maxTagItemLength: number;
  maxContent: number;
  /** Upper bound of the event's JSON serialization, checked before anything else. */
  maxJsonBytes: number;
}

/** Bounds of the sign-in/link event (notes/nostr.md §4 step 2). */
export const authEventLimits: EventLimits = { maxTags: 10, maxTagItems: 3, maxTagItemLength: 512, maxContent: 256, maxJsonBytes: 16 * 1024 };

/** Bounds of an optional kind-0 profile event sent along (notes/nostr.md §7: content ≤ 8 KB). */
export const profileEventLimits: EventLimits = { maxTags: 64, maxTagItems: 8, maxTagItemLength: 1024, maxContent: 8 * 1024, maxJsonBytes: 16 * 1024 };

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
const hex128 = z.string().regex(/^[0-9a-f]{128}$/, 'must be 128 lowercase hex characters');

/**
 * Strict shape of a signed event: lowercase hex id/pubkey/sig (uppercase is refused even though
 * nostr-tools would accept an uppercase sig), safe-integer kind and created_at, bounded tags and
 * content. Unknown extra fields are dropped; only the 7 NIP-01 fields survive.
 */
export function eventSchema(limits: EventLimits) {
  return z.object({
    id: hex64,
    pubkey: hex64,
    created_at: z.int().min(0),
    kind: z.int().min(0).max(65535),
    tags: z
      .array(z.array(z.string().max(limits.maxTagItemLength)).min(1).max(limits.maxTagItems))
      .max(limits.maxTags),
    content: z.string().max(limits.maxContent),
    sig: hex128,
  });
}

/** A signed Nostr event reduced to its 7 fields. */
export type NostrEvent = z.infer<ReturnType<typeof eventSchema>>;

/** Top level of the verify and link bodies; the event itself is checked by nostrVerify. */
export const nostrAuthBody = z.object({ event: z.unknown(), profile: z.unknown().optional() });
