import type { MessageView } from '../modules/messages/presenter.js';

export type Trigger = 'mention' | 'reply' | 'always';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `@<name>` as a whole word, case-insensitive (`@ai,` matches; `@aid` and `x@ai` do not). */
export function mentionPattern(aiName: string): RegExp {
  return new RegExp(`(^|[^\\w@.])@${escape(aiName)}(?![\\w-])`, 'i');
}

/**
 * Decides whether a stored message makes the assistant answer, per the room's aiMode. Assistant
 * and system messages never trigger (the AI never triggers itself).
 */
export function detectTrigger(
  message: Pick<MessageView, 'role' | 'content' | 'replyTo'>,
  aiMode: 'mention' | 'always' | 'off',
  mention: RegExp,
  repliesToAssistant: boolean,
): Trigger | null {
  if (message.role !== 'user' || aiMode === 'off') return null;
  if (aiMode === 'always') return 'always';
  if (mention.test(message.content)) return 'mention';
  if (repliesToAssistant) return 'reply';
  return null;
}
