import type { Config } from '../../config.js';
import type { Db, DbOrTx } from '../../db/schema.js';
import { errors } from '../../errors.js';
import type { EventBus } from '../../events.js';
import { newId, nowIso } from '../../lib/ids.js';
import type { RoomChangeFrame } from '../../realtime/frames.js';
import { findUserById, findUsersByIds } from '../users/repo.js';
import { recordChange, withSeq } from './changes.js';
import { presentMember, presentRoom, type MemberView, type Role, type RoomView } from './presenter.js';
import * as repo from './repo.js';
import type { RoomRow } from './repo.js';

export type RoomSettingsInput = { aiMode?: 'mention' | 'always' | 'off'; model?: string | null; systemPrompt?: string | null; webSearch?: boolean };
export type RoomInput = { name?: string; description?: string; visibility?: 'private' | 'public'; settings?: RoomSettingsInput };

/** Rooms and memberships: who may do what, each change logged with its seq and announced after commit. */
export class RoomsService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    private readonly config: Pick<Config, 'roomLogKeep'>,
  ) {}

  findRoom(roomId: string): Promise<RoomRow | undefined> {
    return repo.findRoom(this.db, roomId);
  }

  roleOf(roomId: string, userId: string): Promise<Role | null> {
    return repo.findRole(this.db, roomId, userId);
  }

  /** The room and the caller's role; non-members get 404 whatever the room's visibility. */
  async requireMember(roomId: string, userId: string): Promise<{ room: RoomRow; role: Role }> {
    const row = await repo.findRoomForMember(this.db, roomId, userId);
    if (!row) throw errors.notFound('Room');
    const { my_role: role, ...room } = row;
    return { room, role };
  }

  /** Like requireMember, plus a role check (403 for members without it). */
  async requireRole(roomId: string, userId: string, allowed: Role[]): Promise<{ room: RoomRow; role: Role }> {
    const m = await this.requireMember(roomId, userId);
    if (!allowed.includes(m.role)) throw errors.forbidden(`Only ${allowed.join(' or ')} may do that`);
    return m;
  }

  async roomIdsOf(userId: string): Promise<string[]> {
    return (await repo.listMembershipsOfUser(this.db, userId)).map((m) => m.room_id);
  }

  async listMembers(roomId: string): Promise<MemberView[]> {
    const members = await repo.listMembers(this.db, roomId);
    const users = new Map((await findUsersByIds(this.db, members.map((m) => m.user_id))).map((u) => [u.id, u]));
    return members.filter((m) => users.has(m.user_id)).map((m) => presentMember(m, users.get(m.user_id)!));
  }

  async view(room: RoomRow, myRole: Role | null): Promise<RoomView> {
    return presentRoom(room, await repo.countMembers(this.db, room.id), myRole);
  }

  async listMine(userId: string): Promise<RoomView[]> {
    const rows = await repo.listRoomsOfUser(this.db, userId);
    return rows.map((r) => presentRoom(r, Number(r.member_count), r.my_role));
  }

  async listPublic(userId: string): Promise<RoomView[]> {
    const rows = await repo.listPublicRooms(this.db, 200);
    const roles = new Map((await repo.listMembershipsOfUser(this.db, userId)).map((m) => [m.room_id, m.role]));
    return rows.map((r) => presentRoom(r, Number(r.member_count), roles.get(r.id) ?? null));
  }

  async create(userId: string, input: RoomInput & { name: string }): Promise<RoomView> {
    const now = nowIso();
    const id = newId();
    await this.db.transaction().execute(async (trx) => {
      await repo.insertRoom(trx, {
        id,
        name: input.name,
        description: input.description ?? '',
        visibility: input.visibility ?? 'private',
        created_by: userId,
        created_at: now,
        updated_at: now,
        last_activity_at: now,
        ai_mode: input.settings?.aiMode ?? 'mention',
        ai_model: input.settings?.model ?? null,
        system_prompt: input.settings?.systemPrompt ?? null,
        web_search: input.settings?.webSearch === false ? 0 : 1,
      });
      await repo.insertMember(trx, { room_id: id, user_id: userId, role: 'owner', joined_at: now });
    });
    this.bus.emit('memberAdded', { roomId: id, userId });
    return presentRoom((await repo.findRoom(this.db, id))!, 1, 'owner');
  }

  async update(roomId: string, userId: string, input: RoomInput): Promise<RoomView> {
    const { role } = await this.requireRole(roomId, userId, ['owner', 'admin']);
    const now = nowIso();
    const s = input.settings ?? {};
    const frame = await this.db.transaction().execute(async (trx) => {
      await repo.updateRoom(trx, roomId, {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.visibility !== undefined && { visibility: input.visibility }),
        ...(s.aiMode !== undefined && { ai_mode: s.aiMode }),
        ...(s.model !== undefined && { ai_model: s.model }),
        ...(s.systemPrompt !== undefined && { system_prompt: s.systemPrompt }),
        ...(s.webSearch !== undefined && { web_search: s.webSearch ? 1 : 0 }),
        updated_at: now,
      });
      const room = (await repo.findRoom(trx, roomId))!;
      const count = await repo.countMembers(trx, roomId);
      // myRole is per viewer: the broadcast copy carries null, each client keeps its own role.
      return recordChange(trx, roomId, now, this.config.roomLogKeep, (seq) => ({
        type: 'room_updated' as const,
        roomId,
        seq,
        room: presentRoom({ ...room, last_seq: seq }, count, null),
      }));
    });
    this.publish(roomId, frame);
    return { ...frame.room, myRole: role };
  }

  /** Deletes the room (owner only); members are told with room_deleted and lose it at once. */
  async remove(roomId: string, userId: string): Promise<void> {
    await this.requireRole(roomId, userId, ['owner']);
    const memberIds = await repo.listMemberIds(this.db, roomId);
    await repo.deleteRoom(this.db, roomId);
    this.bus.emit('roomFrame', { roomId, frame: { type: 'room_deleted', roomId }, audience: 'members', userIds: memberIds });
    for (const id of memberIds) this.bus.emit('memberRemoved', { roomId, userId: id });
  }

  /** Joins a public room; idempotent for members; private rooms look absent (404). */
  async join(roomId: string, userId: string): Promise<RoomView> {
    const room = await repo.findRoom(this.db, roomId);
    if (!room) throw errors.notFound('Room');
    const role = await repo.findRole(this.db, roomId, userId);
    if (role) return this.view(room, role);
    if (room.visibility !== 'public') throw errors.notFound('Room');
    await this.addMember(roomId, userId, 'member');
    return this.view((await repo.findRoom(this.db, roomId))!, 'member');
  }

  /**
   * Adds a member (join, invite, Nostr invite) and announces member_joined. Runs `inTx` first in
   * the same transaction (e.g. counting an invite use); returns false when already a member.
   */
  async addMember(roomId: string, userId: string, role: Role, inTx?: (trx: DbOrTx) => Promise<void>): Promise<boolean> {
    const user = await findUserById(this.db, userId);
    if (!user) throw errors.notFound('User');
    const now = nowIso();
    const frame = await this.db.transaction().execute(async (trx) => {
      if (await repo.findRole(trx, roomId, userId)) return null;
      if (inTx) await inTx(trx);
      const member = { room_id: roomId, user_id: userId, role, joined_at: now };
      await repo.insertMember(trx, member);
      return recordChange(trx, roomId, now, this.config.roomLogKeep, withSeq<Extract<RoomChangeFrame, { type: 'member_joined' }>>({
        type: 'member_joined',
        roomId,
        member: presentMember(member, user),
      }));
    });
    if (!frame) return false;
    this.bus.emit('memberAdded', { roomId, userId });
    this.publish(roomId, frame);
    return true;
  }

  /** Leaves a room; the owner must hand over or delete first (409). */
  async leave(roomId: string, userId: string): Promise<void> {
    const { role } = await this.requireMember(roomId, userId);
    if (role === 'owner') throw errors.conflict('The owner must hand the room over or delete it before leaving');
    await this.removeMembership(roomId, userId);
  }

  /** Removes another member: the owner anyone but themself, an admin only plain members. */
  async removeMember(roomId: string, actorId: string, targetId: string): Promise<void> {
    const { role } = await this.requireRole(roomId, actorId, ['owner', 'admin']);
    const target = await repo.findRole(this.db, roomId, targetId);
    if (!target) throw errors.notFound('Member');
    if (target === 'owner') throw errors.forbidden('The owner cannot be removed');
    if (role === 'admin' && target !== 'member') throw errors.forbidden('Admins may remove only members');
    await this.removeMembership(roomId, targetId);
  }

  private async removeMembership(roomId: string, userId: string): Promise<void> {
    const now = nowIso();
    const frame = await this.db.transaction().execute(async (trx) => {
      if (!(await repo.deleteMember(trx, roomId, userId))) return null;
      return recordChange(trx, roomId, now, this.config.roomLogKeep, withSeq<Extract<RoomChangeFrame, { type: 'member_left' }>>({ type: 'member_left', roomId, userId }));
    });
    if (!frame) return;
    // The leaving user's sockets still get member_left, then drop the room.
    this.bus.emit('roomFrame', { roomId, frame, audience: 'members', userIds: [userId] });
    this.bus.emit('memberRemoved', { roomId, userId });
  }

  /**
   * Changes a member's role (owner only). `owner` hands the room over: the target becomes owner
   * and the previous owner becomes admin. Announced as member_updated.
   */
  async setRole(roomId: string, actorId: string, targetId: string, newRole: Role): Promise<MemberView> {
    await this.requireRole(roomId, actorId, ['owner']);
    if (targetId === actorId) throw errors.conflict('The owner cannot change their own role; hand the room over instead');
    const member = await repo.findMember(this.db, roomId, targetId);
    const user = await findUserById(this.db, targetId);
    if (!member || !user) throw errors.notFound('Member');
    const actor = (await findUserById(this.db, actorId))!;
    const now = nowIso();
    const frames = await this.db.transaction().execute(async (trx) => {
      const out: RoomChangeFrame[] = [];
      await repo.setMemberRole(trx, roomId, targetId, newRole);
      out.push(await recordChange(trx, roomId, now, this.config.roomLogKeep, (seq) => ({ type: 'member_updated' as const, roomId, seq, member: presentMember({ ...member, role: newRole }, user) })));
      if (newRole === 'owner') {
        await repo.setMemberRole(trx, roomId, actorId, 'admin');
        const actorMember = (await repo.findMember(trx, roomId, actorId))!;
        out.push(await recordChange(trx, roomId, now, this.config.roomLogKeep, (seq) => ({ type: 'member_updated' as const, roomId, seq, member: presentMember(actorMember, actor) })));
      }
      return out;
    });
    for (const f of frames) this.publish(roomId, f);
    return (frames[0] as Extract<RoomChangeFrame, { type: 'member_updated' }>).member;
  }

  /** Removes every message of the room (owner/admin) and announces room_cleared. */
  async clear(roomId: string, userId: string, deleteMessages: (trx: DbOrTx) => Promise<void>): Promise<void> {
    await this.requireRole(roomId, userId, ['owner', 'admin']);
    const now = nowIso();
    const frame = await this.db.transaction().execute(async (trx) => {
      await deleteMessages(trx);
      return recordChange(trx, roomId, now, this.config.roomLogKeep, withSeq<Extract<RoomChangeFrame, { type: 'room_cleared' }>>({ type: 'room_cleared', roomId }));
    });
    this.publish(roomId, frame);
  }

  private publish(roomId: string, frame: RoomChangeFrame): void {
    const audience = frame.type === 'message' || frame.type === 'message_updated' || frame.type === 'message_deleted' ? 'joined' : 'members';
    this.bus.emit('roomFrame', { roomId, frame, audience });
  }
}
