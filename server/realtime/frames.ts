import type { MessageView } from '../modules/messages/presenter.js';
import type { MemberView, RoomView } from '../modules/rooms/presenter.js';
import type { UserView } from '../modules/users/presenter.js';

/**
 * Server → client frames of the WebSocket protocol (API.md). Room-changing frames carry the
 * change's `seq`; the change log stores them verbatim for replay.
 */
export type RoomChangeFrame =
  | { type: 'message'; roomId: string; seq: number; message: MessageView }
  | { type: 'message_updated'; roomId: string; seq: number; message: MessageView }
  | { type: 'message_deleted'; roomId: string; seq: number; messageId: string }
  | { type: 'room_updated'; roomId: string; seq: number; room: RoomView }
  | { type: 'room_cleared'; roomId: string; seq: number }
  | { type: 'member_joined'; roomId: string; seq: number; member: MemberView }
  | { type: 'member_left'; roomId: string; seq: number; userId: string }
  /** Added to the contract: a member's role changed (or the room was handed over). */
  | { type: 'member_updated'; roomId: string; seq: number; member: MemberView };

export interface AiStreamSnapshot {
  streamId: string;
  content: string;
  index: number;
  tools: unknown[];
  requestedBy: string | null;
}

export type ServerFrame =
  | RoomChangeFrame
  | { type: 'room_deleted'; roomId: string }
  | { type: 'room_activity'; roomId: string; lastSeq: number }
  | { type: 'typing'; roomId: string; user: UserView; isTyping: boolean }
  | { type: 'ai_typing'; roomId: string; streamId: string; model: string; requestedBy: string | null }
  | { type: 'ai_chunk'; roomId: string; streamId: string; index: number; delta: string }
  | {
      type: 'ai_tool';
      roomId: string;
      streamId: string;
      callId: string;
      name: string;
      status: 'started' | 'finished' | 'failed';
      input: unknown;
      summary?: string;
      sources?: Array<{ title: string; url: string }>;
    }
  | { type: 'ai_stream_end'; roomId: string; streamId: string; message: MessageView | null; error: { code: string; message: string } | null }
  | {
      type: 'room_joined';
      roomId: string;
      lastSeq: number;
      replayed: RoomChangeFrame[];
      resync: boolean;
      typing: UserView[];
      aiStreams: AiStreamSnapshot[];
    }
  | { type: 'message_ack'; clientId: string | null; message: MessageView }
  | { type: 'error'; code: string; message: string; requestType?: string; clientId?: string }
  | { type: 'pong' };
