import type { RoomMembersTable, RoomsTable } from '../../db/schema.js';
import type { Member, Role, Room } from '../../contract.js';
import { presentUser } from '../users/presenter.js';
import type { UserRow } from '../users/repo.js';

export type { Role };

/** The contract's Room object (myRole is the viewer's role). */
export type RoomView = Room;

export type MemberView = Member;

/** Presents a room for one viewer. */
export function presentRoom(row: Omit<RoomsTable, 'last_seq' | 'web_search'> & { last_seq: number; web_search: number }, memberCount: number, myRole: Role | null): RoomView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    memberCount,
    myRole,
    lastSeq: row.last_seq,
    settings: {
      aiMode: row.ai_mode,
      model: row.ai_model,
      systemPrompt: row.system_prompt,
      webSearch: row.web_search === 1,
    },
  };
}

/** Presents a membership with its user. */
export function presentMember(m: RoomMembersTable, user: UserRow): MemberView {
  return { user: presentUser(user), role: m.role, joinedAt: m.joined_at };
}
