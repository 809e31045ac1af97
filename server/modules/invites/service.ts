import type { Config } from '../../config.js';
import type { Db } from '../../db/schema.js';
import { errors } from '../../errors.js';
import { newToken, nowIso } from '../../lib/ids.js';
import { nip19 } from 'nostr-tools';
import type { RoomsService } from '../rooms/service.js';
import type { RoomView } from '../rooms/presenter.js';
import { findUserByPubkey, type UserRow } from '../users/repo.js';
import { normalizePubkey } from './nostrKeys.js';
import { isInviteValid, presentInvite, type InviteView } from './presenter.js';
import * as repo from './repo.js';

/** Invite links (CSPRNG tokens, counted uses) and invites by Nostr public key. */
export class InvitesService {
  constructor(
    private readonly db: Db,
    private readonly rooms: RoomsService,
    private readonly config: Pick<Config, 'publicUrl'>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Any member may create a link; 192 random bits, default lifetime 168 h. */
  async create(userId: string, input: { roomId: string; maxUses?: number | null; expiresInHours?: number }): Promise<{ invite: InviteView; url: string }> {
    await this.rooms.requireMember(input.roomId, userId);
    const created = this.now();
    const row = {
      token: newToken(24),
      room_id: input.roomId,
      created_by: userId,
      created_at: created.toISOString(),
      expires_at: new Date(created.getTime() + (input.expiresInHours ?? 168) * 3_600_000).toISOString(),
      max_uses: input.maxUses ?? null,
      uses: 0,
      revoked_at: null,
    };
    await repo.insertInvite(this.db, row);
    return { invite: presentInvite(row), url: `${this.config.publicUrl}/invite/${row.token}` };
  }

  /** Active invites of a room (owner/admin). */
  async listActive(roomId: string, userId: string): Promise<InviteView[]> {
    await this.rooms.requireRole(roomId, userId, ['owner', 'admin']);
    return (await repo.listActiveInvites(this.db, roomId, this.now().toISOString())).map(presentInvite);
  }

  /** What a token holder may see before accepting: the invite, the room's name and size, validity. */
  async preview(token: string): Promise<{ invite: InviteView; room: { id: string; name: string; memberCount: number }; valid: boolean }> {
    const invite = await repo.findInvite(this.db, token);
    const room = invite ? await this.rooms.findRoom(invite.room_id) : undefined;
    if (!invite || !room) throw errors.notFound('Invite');
    const view = await this.rooms.view(room, null);
    return { invite: presentInvite(invite), room: { id: room.id, name: room.name, memberCount: view.memberCount }, valid: isInviteValid(invite, this.now().toISOString()) };
  }

  /** Accepts an invite: idempotent for members; otherwise one use is counted atomically or 410. */
  async accept(token: string, userId: string): Promise<RoomView> {
    const invite = await repo.findInvite(this.db, token);
    if (!invite || !(await this.rooms.findRoom(invite.room_id))) throw errors.notFound('Invite');
    const now = this.now().toISOString();
    await this.rooms.addMember(invite.room_id, userId, 'member', async (trx) => {
      if (!(await repo.consumeInviteUse(trx, token, now))) throw errors.gone('This invite has expired, was revoked or is used up');
    });
    const { room, role } = await this.rooms.requireMember(invite.room_id, userId);
    return this.rooms.view(room, role);
  }

  /** Revokes an invite: its creator, or the room's owner/admin. Non-members see 404. */
  async revoke(token: string, userId: string): Promise<void> {
    const invite = await repo.findInvite(this.db, token);
    if (!invite) throw errors.notFound('Invite');
    const role = await this.rooms.roleOf(invite.room_id, userId);
    if (!role) throw errors.notFound('Invite');
    if (invite.created_by !== userId && role !== 'owner' && role !== 'admin') throw errors.forbidden('Only its creator, the owner or an admin may revoke an invite');
    await repo.revokeInvite(this.db, token, this.now().toISOString());
  }

  /**
   * Invites a Nostr key: an existing user with that key is added at once ("added"); otherwise a
   * pending invite waits for that key's first Nostr sign-in ("pending").
   */
  async inviteNostr(userId: string, input: { roomId: string; pubkey: string }): Promise<{ roomId: string; pubkey: string; npub: string; status: 'added' | 'pending' }> {
    const pubkey = normalizePubkey(input.pubkey);
    await this.rooms.requireMember(input.roomId, userId);
    const npub = nip19.npubEncode(pubkey);
    const existing = await findUserByPubkey(this.db, pubkey);
    if (existing) {
      await this.rooms.addMember(input.roomId, existing.id, 'member');
      return { roomId: input.roomId, pubkey, npub, status: 'added' };
    }
    await repo.upsertNostrInvite(this.db, { room_id: input.roomId, pubkey, invited_by: userId, created_at: nowIso() });
    return { roomId: input.roomId, pubkey, npub, status: 'pending' };
  }

  /** Turns the pending Nostr invites of a user's key into memberships (first Nostr sign-in). */
  async resolvePendingNostrInvites(user: UserRow): Promise<void> {
    if (!user.nostr_pubkey) return;
    for (const inv of await repo.findNostrInvitesForPubkey(this.db, user.nostr_pubkey)) {
      if (await this.rooms.findRoom(inv.room_id)) await this.rooms.addMember(inv.room_id, user.id, 'member');
      await repo.deleteNostrInvite(this.db, inv.room_id, inv.pubkey);
    }
  }

}
