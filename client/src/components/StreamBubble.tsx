import type { LiveStream } from '../lib/streams.js';
import { Avatar } from './Avatar.js';
import { Markdown } from './Markdown.js';
import { ToolCards } from './ToolCards.js';

/** The assistant's reply while it streams in. */
export function StreamBubble({ stream }: { stream: LiveStream }) {
  return (
    <article class="msg assistant streaming" aria-busy="true" aria-label="Assistant is replying">
      <Avatar user={null} />
      <div class="body">
        <header>
          <strong>Assistant</strong> {stream.model && <span class="hint">{stream.model}</span>} <span class="hint">typing…</span>
        </header>
        <ToolCards tools={stream.tools} />
        {stream.content ? <Markdown text={stream.content} /> : <p class="dots" aria-hidden="true">•••</p>}
      </div>
    </article>
  );
}
