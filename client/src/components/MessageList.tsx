import { useLayoutEffect, useRef } from 'preact/hooks';
import { dismissAiError, loadOlder } from '../lib/chat.js';
import type { RoomState } from '../lib/state.js';
import type { Message } from '../lib/types.js';
import { MessageItem } from './MessageItem.js';
import { StreamBubble } from './StreamBubble.js';

interface Props {
  roomId: string;
  state: RoomState;
  myId: string;
  canModerate: boolean;
  onReply: (m: Message) => void;
}

/**
 * The scrolling history: loads older pages when scrolled to the top (keeping the view in place),
 * follows new messages and streaming replies while the reader is at the bottom.
 */
export function MessageList({ roomId, state, myId, canModerate, onReply }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ firstId: string | null; height: number }>({ firstId: null, height: 0 });
  const { messages, hasMore } = state.timeline;
  const firstId = messages[0]?.id ?? null;

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const prev = anchor.current;
    if (prev.firstId && firstId !== prev.firstId && messages.some((m) => m.id === prev.firstId) && !atBottom.current) {
      el.scrollTop += el.scrollHeight - prev.height; // older page prepended: keep the same message in view
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    anchor.current = { firstId, height: el.scrollHeight };
  });

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    anchor.current.height = el.scrollHeight;
    if (el.scrollTop < 80 && hasMore && !state.loadingOlder && messages.length > 0) void loadOlder(roomId);
  };

  const byId = new Map(messages.map((m) => [m.id, m]));
  return (
    <div class="messages" ref={box} onScroll={onScroll} role="log" aria-label="Messages" aria-live="polite" tabIndex={0}>
      {hasMore && messages.length > 0 && (
        <button type="button" class="link load-older" disabled={state.loadingOlder} onClick={() => void loadOlder(roomId)}>
          {state.loadingOlder ? 'Loading…' : 'Load older messages'}
        </button>
      )}
      {!hasMore && messages.length === 0 && <p class="hint centered">No messages yet. Say hello, or mention @ai to ask the assistant.</p>}
      {messages.map((m) => (
        <MessageItem key={m.id} message={m} replyTo={m.replyTo ? byId.get(m.replyTo) ?? null : null} myId={myId} canModerate={canModerate} onReply={onReply} />
      ))}
      {Object.values(state.streams).map((s) => (
        <StreamBubble key={s.streamId} stream={s} />
      ))}
      {state.aiErrors.map((e) => (
        <p key={e.streamId} class="error ai-error" role="alert">
          The assistant could not answer: {e.message}{' '}
          <button type="button" class="link" onClick={() => dismissAiError(roomId, e.streamId)}>
            Dismiss
          </button>
        </p>
      ))}
    </div>
  );
}
