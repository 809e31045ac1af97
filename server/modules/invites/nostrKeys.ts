import { nip19 } from 'nostr-tools';
import { errors } from '../../errors.js';

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Normalises a Nostr public key given as npub, nprofile, `nostr:` URI, `@`-prefixed, or 64 hex in
 * any case, to 64 lowercase hex. An nsec is refused with a warning that it is a secret key.
 */
export function normalizePubkey(input: string): string {
  let s = input.trim();
  if (/^nostr:/i.test(s)) s = s.slice(6);
  if (s.startsWith('@')) s = s.slice(1);
  if (/^nsec1/i.test(s)) {
    throw errors.invalid('pubkey: this is a secret key (nsec). Never share it: ask for the npub instead', { field: 'pubkey' });
  }
  if (/^[0-9a-f]{64}$/i.test(s)) return s.toLowerCase();
  if (/^(npub1|nprofile1)/i.test(s)) {
    let decoded;
    try {
      decoded = nip19.decode(s.toLowerCase());
    } catch {
      throw errors.invalid('pubkey: not a valid npub or nprofile (bad checksum or encoding)');
    }
    const hex = decoded.type === 'npub' ? decoded.data : decoded.type === 'nprofile' ? decoded.data.pubkey : null;
    if (typeof hex !== 'string' || !HEX64.test(hex)) throw errors.invalid('pubkey: decodes to a key of the wrong length');
    return hex;
  }
  if (s.includes('@')) throw errors.invalid('pubkey: NIP-05 addresses (name@domain) are not supported; paste the npub');
  throw errors.invalid('pubkey: expected an npub, nprofile, nostr: URI or 64 hex characters');
}
