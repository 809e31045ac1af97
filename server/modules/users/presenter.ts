import { nip19 } from 'nostr-tools';
import type { User } from '../../contract.js';
import type { UserRow } from './repo.js';

/** The contract's User object. */
export type UserView = User;

/** Presents a user row; password hashes never leave the server. */
export function presentUser(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    nostrPubkey: row.nostr_pubkey,
    npub: row.nostr_pubkey ? nip19.npubEncode(row.nostr_pubkey) : null,
    createdAt: row.created_at,
  };
}
