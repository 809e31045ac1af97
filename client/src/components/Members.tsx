import { useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { navigate } from '../lib/session.js';
import { dropRoom, updateRoomState } from '../lib/state.js';
import type { Member, Room } from '../lib/types.js';
import { Avatar } from './Avatar.js';
import { Invites } from './Invites.js';

interface Props {
  room: Room;
  members: Member[] | null;
  myId: string;
  onClose: () => void;
}

const ROLE_ORDER = { owner: 0, admin: 1, member: 2 } as const;

/** The member list (role changes for the owner, removal for owner/admin), invites, and leaving. */
export function Members({ room, members, myId, onClose }: Props) {
  const [error, setError] = useState<string | null>(null);
  const isOwner = room.myRole === 'owner';
  const canRemove = isOwner || room.myRole === 'admin';

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const setRole = (m: Member, role: 'admin' | 'member') =>
    run(async () => {
      const { member } = await api.setRole(room.id, m.user.id, role);
      updateRoomState(room.id, (r) => ({ ...r, members: r.members && r.members.map((x) => (x.user.id === member.user.id ? member : x)) }));
    });

  const remove = (m: Member) =>
    run(async () => {
      if (!confirm(`Remove ${m.user.displayName} from ${room.name}?`)) return;
      await api.removeMember(room.id, m.user.id);
      updateRoomState(room.id, (r) => ({ ...r, members: r.members && r.members.filter((x) => x.user.id !== m.user.id) }));
    });

  const leave = () =>
    run(async () => {
      if (!confirm(`Leave ${room.name}?`)) return;
      await api.leaveRoom(room.id);
      navigate({ name: 'home' });
      dropRoom(room.id);
    });

  const sorted = [...(members ?? [])].sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.user.displayName.localeCompare(b.user.displayName));
  return (
    <aside class="panel" aria-labelledby="members-title">
      <header class="panel-header">
        <h2 id="members-title">Members</h2>
        <button type="button" class="link" onClick={onClose} aria-label="Close members">
          ×
        </button>
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!members && <p>Loading…</p>}
      <ul class="members">
        {sorted.map((m) => (
          <li key={m.user.id}>
            <Avatar user={m.user} />
            <span class="member-name">
              {m.user.displayName} {m.user.id === myId && <span class="hint">(you)</span>}
              <span class="hint"> @{m.user.username}</span>
            </span>
            {isOwner && m.role !== 'owner' ? (
              <select aria-label={`Role of ${m.user.displayName}`} value={m.role} onChange={(e) => void setRole(m, e.currentTarget.value as 'admin' | 'member')}>
                <option value="member">member</option>
                <option value="admin">admin</option>
              </select>
            ) : (
              <span class="role">{m.role}</span>
            )}
            {canRemove && m.role !== 'owner' && m.user.id !== myId && (
              <button type="button" class="link" onClick={() => void remove(m)} aria-label={`Remove ${m.user.displayName}`}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <Invites room={room} />
      {room.myRole !== 'owner' && (
        <button type="button" class="danger" onClick={() => void leave()}>
          Leave room
        </button>
      )}
    </aside>
  );
}
