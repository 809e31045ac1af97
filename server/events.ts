import { EventEmitter } from 'node:events';
import type { ServerFrame } from './realtime/frames.js';
import type { MessageView } from './modules/messages/presenter.js';
import type { UserRow } from './modules/users/repo.js';

/**
 * Domain events, published by services after their transaction commits. The realtime hub and
 * the AI orchestrator subscribe; routes never see sockets.
 */
export interface EventMap {
  /** A room frame to deliver: `joined` = sockets in the room, `members` = every socket of every member. */
  roomFrame: { roomId: string; frame: ServerFrame; audience: 'joined' | 'members'; userIds?: string[] };
  /** A user became a member (the hub starts sending them the room's member-scoped frames). */
  memberAdded: { roomId: string; userId: string };
  /** A user stopped being a member (left, removed, or the room was deleted): their sockets drop the room. */
  memberRemoved: { roomId: string; userId: string };
  /** A message was stored (after commit); the orchestrator decides whether the assistant answers. */
  messageCreated: { roomId: string; message: MessageView };
  /** A user's profile changed (name, avatar, Nostr key): live sockets refresh their copy. */
  userUpdated: { user: UserRow };
}

/** Typed in-process event bus. Listener errors are isolated from publishers. */
export class EventBus {
  private emitter = new EventEmitter();

  constructor(private readonly onError: (err: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof EventMap>(event: K, listener: (payload: EventMap[K]) => void): () => void {
    const wrapped = (payload: EventMap[K]) => {
      try {
        listener(payload);
      } catch (err) {
        this.onError(err, event);
      }
    };
    this.emitter.on(event, wrapped);
    return () => this.emitter.off(event, wrapped);
  }

  emit<K extends keyof EventMap>(event: K, payload: EventMap[K]): void {
    this.emitter.emit(event, payload);
  }
}
