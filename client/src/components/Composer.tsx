import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { sendMessage, setTyping, stopAi } from '../lib/chat.js';
import type { Attachment, Message } from '../lib/types.js';

interface Props {
  roomId: string;
  replyTo: Message | null;
  onClearReply: () => void;
  streaming: boolean;
}

const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
const IMAGE_TYPES = 'image/png,image/jpeg,image/gif,image/webp';

/** Writes a message: text (Enter sends, Shift+Enter breaks the line), reply, images; Stop for the assistant. */
export function Composer({ roomId, replyTo, onClearReply, streaming }: Props) {
  const [text, setText] = useState('');
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const typing = useRef({ sentAt: 0, idle: null as ReturnType<typeof setTimeout> | null });
  const input = useRef<HTMLTextAreaElement>(null);

  const stopTyping = () => {
    const t = typing.current;
    if (t.idle) clearTimeout(t.idle);
    t.idle = null;
    if (t.sentAt) setTyping(roomId, false);
    t.sentAt = 0;
  };
  useEffect(() => stopTyping, [roomId]);
  useEffect(() => {
    if (replyTo) input.current?.focus();
  }, [replyTo]);

  const onInput = (value: string) => {
    setText(value);
    const t = typing.current;
    if (!value.trim()) return stopTyping();
    if (Date.now() - t.sentAt > TYPING_REFRESH_MS) {
      setTyping(roomId, true);
      t.sentAt = Date.now();
    }
    if (t.idle) clearTimeout(t.idle);
    t.idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  };

  const attach = async (files: FileList | null) => {
    const list = files ? Array.from(files) : [];
    setError(null);
    for (const file of list) {
      setUploading((n) => n + 1);
      try {
        const { upload } = await api.upload(file);
        setAttachments((a) => [...a, upload]);
      } catch (err) {
        setError(`${file.name}: ${errorMessage(err)}`);
      } finally {
        setUploading((n) => n - 1);
      }
    }
  };

  const submit = async (e?: Event) => {
    e?.preventDefault();
    const content = text.trim();
    if ((!content && attachments.length === 0) || sending || uploading > 0) return;
    setSending(true);
    setError(null);
    try {
      await sendMessage(roomId, {
        content,
        ...(replyTo ? { replyTo: replyTo.id } : {}),
        ...(attachments.length ? { attachments: attachments.map((a) => a.id) } : {}),
      });
      setText('');
      setAttachments([]);
      onClearReply();
      stopTyping();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) void submit(e);
  };

  return (
    <form class="composer" onSubmit={(e) => void submit(e)} aria-label="Write a message">
      {replyTo && (
        <p class="replying">
          Replying to <strong>{replyTo.author?.displayName ?? 'Assistant'}</strong>: {replyTo.content.slice(0, 80)}{' '}
          <button type="button" class="link" onClick={onClearReply} aria-label="Cancel reply">
            ×
          </button>
        </p>
      )}
      {attachments.length > 0 && (
        <ul class="pending-attachments" aria-label="Images to send">
          {attachments.map((a) => (
            <li key={a.id}>
              <img src={a.url} alt="Image to send" />
              <button type="button" class="link" aria-label="Remove image" onClick={() => setAttachments((x) => x.filter((y) => y.id !== a.id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="composer-row">
        <label class="attach button" title="Attach images">
          <span class="visually-hidden">Attach images</span>
          <span aria-hidden="true">+</span>
          <input type="file" accept={IMAGE_TYPES} multiple class="visually-hidden" onChange={(e) => {
              const el = e.currentTarget;
              void attach(el.files).then(() => (el.value = ''));
            }} />
        </label>
        <textarea
          ref={input}
          name="message"
          rows={2}
          maxLength={16000}
          placeholder="Message (mention @ai to ask the assistant)"
          aria-label="Message"
          value={text}
          onInput={(e) => onInput(e.currentTarget.value)}
          onKeyDown={onKeyDown}
          onBlur={stopTyping}
        />
        {streaming ? (
          <button type="button" class="danger" onClick={() => stopAi(roomId)}>
            Stop
          </button>
        ) : null}
        <button type="submit" class="primary" disabled={sending || uploading > 0}>
          {uploading > 0 ? 'Uploading…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
