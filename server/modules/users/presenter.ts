import { nip19 } from 'nostr-tools';
import type { UserRow } from './repo.js';

/** The contract's User object. */
export interface UserView {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  nostrPubkey: string | null;
  npub: string | null;
  createdAt: string;
}

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
