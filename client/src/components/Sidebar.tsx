import { useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { enterRoom, navigate } from '../lib/session.js';
import { orderedRooms, store } from '../lib/state.js';
import { useStore } from '../lib/store.js';
import type { Room } from '../lib/types.js';
import { Avatar } from './Avatar.js';
import { CreateRoom } from './CreateRoom.js';

/** The user's rooms with unread markers, room creation and public room discovery. */
export function Sidebar() {
  const user = useStore(store, (s) => s.user)!;
  const rooms = useStore(store, orderedRooms);
  const unread = useStore(store, (s) => s.unread);
  const route = useStore(store, (s) => s.route);
  const [creating, setCreating] = useState(false);
  const [publicRooms, setPublicRooms] = useState<Room[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const openId = route.name === 'room' ? route.roomId : null;

  const browse = async () => {
    setError(null);
    try {
      setPublicRooms((await api.publicRooms()).rooms);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const join = async (room: Room) => {
    setError(null);
    try {
      enterRoom((await api.joinRoom(room.id)).room);
      setPublicRooms(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const mine = new Set(rooms.map((r) => r.id));
  return (
    <nav class="sidebar" aria-label="Rooms">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <button type="button" class="me" onClick={() => navigate({ name: 'profile' })} aria-label="Your profile">
        <Avatar user={user} />
        <span>{user.displayName}</span>
      </button>
      <h2>Rooms</h2>
      <ul class="rooms">
        {rooms.map((r) => (
          <li key={r.id}>
            <a
              href={`/rooms/${r.id}`}
              class={r.id === openId ? 'active' : ''}
              aria-current={r.id === openId ? 'page' : undefined}
              onClick={(e) => {
                e.preventDefault();
                navigate({ name: 'room', roomId: r.id });
              }}
            >
              <span class="room-name">{r.name}</span>
              {unread[r.id] && (
                <span class="unread" aria-label="unread messages">
                  ●
                </span>
              )}
            </a>
          </li>
        ))}
        {rooms.length === 0 && <li class="hint">No rooms yet.</li>}
      </ul>
      {creating ? (
        <CreateRoom onDone={() => setCreating(false)} />
      ) : (
        <button type="button" onClick={() => setCreating(true)}>
          New room
        </button>
      )}
      <button type="button" class="link" onClick={() => void (publicRooms ? setPublicRooms(null) : browse())}>
        {publicRooms ? 'Hide public rooms' : 'Browse public rooms'}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {publicRooms && (
        <ul class="public-rooms" aria-label="Public rooms">
          {publicRooms.filter((r) => !mine.has(r.id)).map((r) => (
            <li key={r.id}>
              <span>
                {r.name} <span class="hint">({r.memberCount})</span>
              </span>
              <button type="button" onClick={() => void join(r)}>
                Join
              </button>
            </li>
          ))}
          {publicRooms.every((r) => mine.has(r.id)) && <li class="hint">No other public rooms.</li>}
        </ul>
      )}
    </nav>
  );
}
