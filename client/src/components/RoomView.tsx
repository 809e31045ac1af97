import { useState } from 'preact/hooks';
import { emptyRoomState, store } from '../lib/state.js';
import { useStore } from '../lib/store.js';
import type { Message } from '../lib/types.js';
import { Composer } from './Composer.js';
import { Members } from './Members.js';
import { MessageList } from './MessageList.js';
import { RoomSettingsPanel } from './RoomSettings.js';

const EMPTY = emptyRoomState();

/** One room: header, history with live replies, who is typing, the composer, and side panels. */
export function RoomView({ roomId }: { roomId: string }) {
  const room = useStore(store, (s) => s.rooms[roomId]);
  const rs = useStore(store, (s) => s.roomStates[roomId]) ?? EMPTY;
  const me = useStore(store, (s) => s.user)!;
  const [panel, setPanel] = useState<'members' | 'settings' | null>(null);
  const [replyTo, setReplyTo] = useState<Message | null>(null);

  if (!room) return <p class="centered">Loading room…</p>;
  const canAdmin = room.myRole === 'owner' || room.myRole === 'admin';
  const typing = Object.values(rs.typing);
  const toggle = (p: 'members' | 'settings') => setPanel(panel === p ? null : p);

  return (
    <div class="room">
      <header class="room-header">
        <div>
          <h1>{room.name}</h1>
          {room.description && <p class="hint">{room.description}</p>}
        </div>
        <div class="row">
          <button type="button" aria-expanded={panel === 'members'} onClick={() => toggle('members')}>
            Members ({room.memberCount})
          </button>
          {canAdmin && (
            <button type="button" aria-expanded={panel === 'settings'} onClick={() => toggle('settings')}>
              Settings
            </button>
          )}
        </div>
      </header>
      <div class="room-body">
        <div class="chat">
          <MessageList roomId={roomId} state={rs} myId={me.id} canModerate={canAdmin} onReply={setReplyTo} />
          <p class="typing" aria-live="polite">
            {typing.length === 1 && `${typing[0].displayName} is typing…`}
            {typing.length > 1 && `${typing.map((u) => u.displayName).join(', ')} are typing…`}
          </p>
          <Composer roomId={roomId} replyTo={replyTo} onClearReply={() => setReplyTo(null)} streaming={Object.keys(rs.streams).length > 0} />
        </div>
        {panel === 'members' && <Members room={room} members={rs.members} myId={me.id} onClose={() => setPanel(null)} />}
        {panel === 'settings' && canAdmin && <RoomSettingsPanel room={room} onClose={() => setPanel(null)} />}
      </div>
    </div>
  );
}
