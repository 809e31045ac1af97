import { memo } from 'preact/compat';
import { api, errorMessage } from '../lib/api.js';
import { store } from '../lib/state.js';
import type { Message } from '../lib/types.js';
import { Avatar } from './Avatar.js';
import { Markdown } from './Markdown.js';
import { Sources, ToolCards } from './ToolCards.js';

interface Props {
  message: Message;
  replyTo: Message | null;
  myId: string;
  canModerate: boolean;
  onReply: (m: Message) => void;
}

function authorName(m: Message): string {
  return m.role === 'assistant' ? 'Assistant' : m.role === 'system' ? 'System' : m.author?.displayName ?? 'Someone';
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** One stored message: author, time, reply quote, text, images, and the assistant's details. */
function MessageItemImpl({ message: m, replyTo, myId, canModerate, onReply }: Props) {
  const mine = m.author?.id === myId;
  const remove = async () => {
    if (!confirm('Delete this message?')) return;
    try {
      await api.deleteMessage(m.id);
    } catch (err) {
      store.set({ notice: errorMessage(err) });
    }
  };
  const ai = m.ai;
  return (
    <article class={`msg ${m.role}${mine ? ' mine' : ''}`} data-seq={m.seq} aria-label={`${authorName(m)}, ${timeFmt.format(new Date(m.createdAt))}`}>
      <Avatar user={m.role === 'user' ? m.author : null} />
      <div class="body">
        <header>
          <strong>{authorName(m)}</strong> <time dateTime={m.createdAt}>{timeFmt.format(new Date(m.createdAt))}</time>
          {m.editedAt && <span class="hint"> (edited)</span>}
          {ai && <span class="hint"> · {ai.model}</span>}
        </header>
        {m.replyTo && (
          <blockquote class="reply-quote">
            {replyTo ? (
              <>
                <strong>{authorName(replyTo)}:</strong> {replyTo.content.slice(0, 140)}
              </>
            ) : (
              'Reply to an earlier message'
            )}
          </blockquote>
        )}
        {ai && ai.toolCalls.length > 0 && <ToolCards tools={ai.toolCalls.map((t) => ({ ...t, sources: [] }))} />}
        {m.content && <Markdown text={m.content} />}
        {m.attachments.length > 0 && (
          <div class="attachments">
            {m.attachments.map((a) => (
              <a key={a.id} href={a.url} target="_blank" rel="noopener noreferrer">
                <img src={a.url} alt="Attached image" width={a.width ?? undefined} height={a.height ?? undefined} loading="lazy" />
              </a>
            ))}
          </div>
        )}
        {ai && ai.sources.length > 0 && <Sources sources={ai.sources} />}
        {ai?.finishReason === 'stopped' && <p class="hint">Stopped before the end.</p>}
        {ai?.finishReason === 'length' && <p class="hint">Cut off at the length limit.</p>}
        {ai?.finishReason === 'error' && <p class="error">The reply broke off: {ai.error ?? 'error'}</p>}
        <div class="actions">
          <button type="button" class="link" onClick={() => onReply(m)} aria-label={`Reply to ${authorName(m)}`}>
            Reply
          </button>
          {(mine || canModerate) && (
            <button type="button" class="link" onClick={() => void remove()}>
              Delete
            </button>
          )}
        </div>
      </div>
    </article>
  );
}

export const MessageItem = memo(MessageItemImpl);
