import { NOSTR_METADATA_KIND, profileEventLimits } from './nostrSchema.js';
import { parseEvent, verifySignature } from './nostrVerify.js';

/** Sanitized profile data taken from a signed kind-0 event; either field may be absent. */
export interface NostrProfile {
  displayName?: string;
  picture?: string;
}

export type ProfileResult =
  | { ok: true; profile: NostrProfile }
  | { ok: false; reason: 'bad_event' | 'wrong_kind' | 'wrong_pubkey' | 'future' | 'bad_signature' | 'bad_content' };

const MAX_NAME = 64;
const MAX_PICTURE = 2048;
/** A kind-0 event may be stamped slightly ahead by a fast clock; more than this is "in the future". */
const FUTURE_SLACK_SECONDS = 60;

/** Strips control characters (C0, DEL, C1), trims, and cuts to 64 UTF-16 units without splitting a pair. */
export function sanitizeName(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let s = value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  if (s.length > MAX_NAME) {
    s = s.slice(0, MAX_NAME);
    if (/[\ud800-\udbff]$/.test(s)) s = s.slice(0, -1);
    s = s.trim();
  }
  return s === '' ? undefined : s;
}

/** Keeps a picture only as an absolute https: URL of at most 2048 characters, without credentials. */
export function sanitizePicture(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_PICTURE) return undefined;
  if (/[\u0000-\u0020\u007f-\u009f]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' || url.username || url.password || !url.hostname) return undefined;
  return url.href.length <= MAX_PICTURE ? url.href : undefined;
}

/**
 * Accepts a kind-0 event only when it is signed by `pubkey` and not from the future, then takes
 * display_name (else name) and picture from its JSON content. Profile fields have caused stored
 * XSS in Nostr apps, so everything is bounded and cleaned, and unknown fields are ignored.
 */
export function readProfileEvent(input: unknown, pubkey: string, nowSeconds: number): ProfileResult {
  const parsed = parseEvent(input, profileEventLimits);
  if (!parsed.ok) return { ok: false, reason: 'bad_event' };
  const event = parsed.event;
  if (event.kind !== NOSTR_METADATA_KIND) return { ok: false, reason: 'wrong_kind' };
  if (event.pubkey !== pubkey) return { ok: false, reason: 'wrong_pubkey' };
  if (event.created_at > nowSeconds + FUTURE_SLACK_SECONDS) return { ok: false, reason: 'future' };
  if (!verifySignature(event)) return { ok: false, reason: 'bad_signature' };
  let content: unknown;
  try {
    content = JSON.parse(event.content);
  } catch {
    return { ok: false, reason: 'bad_content' };
  }
  if (!content || typeof content !== 'object' || Array.isArray(content)) return { ok: false, reason: 'bad_content' };
  const c = content as Record<string, unknown>;
  const profile: NostrProfile = {};
  const displayName = sanitizeName(c.display_name) ?? sanitizeName(c.name);
  if (displayName) profile.displayName = displayName;
  const picture = sanitizePicture(c.picture);
  if (picture) profile.picture = picture;
  return { ok: true, profile };
}
