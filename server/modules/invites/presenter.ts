import type { Invite } from '../../contract.js';
import type { InviteRow } from './repo.js';

/** The contract's Invite object. */
export type InviteView = Invite;

export function presentInvite(row: InviteRow): InviteView {
  return {
    token: row.token,
    roomId: row.room_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    maxUses: row.max_uses,
    uses: row.uses,
  };
}

/** Whether an invite can still be used at `now`. */
export function isInviteValid(row: InviteRow, now: string): boolean {
  return !row.revoked_at && (!row.expires_at || row.expires_at > now) && (row.max_uses === null || row.uses < row.max_uses);
}
