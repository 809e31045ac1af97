/**
 * The API contract's JSON objects and WebSocket frames (../shared/API.md), as TypeScript types.
 * Dependency-free on purpose: the server's presenters produce these shapes and the web client
 * imports the same file, so the two cannot drift apart.
 */

export interface User {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  nostrPubkey: string | null;
  npub: string | null;
  createdAt: string;
}

export type Role = 'owner' | 'admin' | 'member';
export type AiMode = 'mention' | 'always' | 'off';

export interface RoomSettings {
  aiMode: AiMode;
  model: string | null;
  systemPrompt: string | null;
  webSearch: boolean;
}

export interface Room {
  id: string;
  name: string;
  description: string;
  visibility: 'private' | 'public';
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  memberCount: number;
  myRole: Role | null;
  lastSeq: number;
  settings: RoomSettings;
}

export interface Member {
  user: User;
  role: Role;
  joinedAt: string;
}

export interface Attachment {
  id: string;
  url: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
}

export interface Source {
  title: string;
  url: string;
}

export interface AiMeta {
  streamId: string;
  model: string;
  trigger: 'mention' | 'reply' | 'always';
  requestedBy: string | null;
  finishReason: 'stop' | 'length' | 'stopped' | 'error';
  error: string | null;
  stoppedBy: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number; cost: number | null };
  toolCalls: Array<{ name: string; input: unknown; status: 'finished' | 'failed'; summary: string }>;
  sources: Source[];
  contextMessages: number;
  durationMs: number;
}

export interface Message {
  id: string;
  roomId: string;
  seq: number;
  role: 'user' | 'assistant' | 'system';
  author: User | null;
  content: string;
  replyTo: string | null;
  attachments: Attachment[];
  hash: string;
  createdAt: string;
  editedAt: string | null;
  ai: AiMeta | null;
}

export interface Invite {
  token: string;
  roomId: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  maxUses: number | null;
  uses: number;
}

export interface ModelInfo {
  id: string;
  name: string;
  contextLength: number | null;
  supportsImages: boolean;
  supportsTools: boolean;
  pricing: { prompt: number | null; completion: number | null };
}

export interface AiStreamSnapshot {
  streamId: string;
  content: string;
  index: number;
  tools: unknown[];
  requestedBy: string | null;
}

/** Frames that change a room; each carries that change's seq. */
export type RoomChangeFrame =
  | { type: 'message'; roomId: string; seq: number; message: Message }
  | { type: 'message_updated'; roomId: string; seq: number; message: Message }
  | { type: 'message_deleted'; roomId: string; seq: number; messageId: string }
  | { type: 'room_updated'; roomId: string; seq: number; room: Room }
  | { type: 'room_cleared'; roomId: string; seq: number }
  | { type: 'member_joined'; roomId: string; seq: number; member: Member }
  | { type: 'member_left'; roomId: string; seq: number; userId: string }
  | { type: 'member_updated'; roomId: string; seq: number; member: Member };

export interface AiToolFrame {
  type: 'ai_tool';
  roomId: string;
  streamId: string;
  callId: string;
  name: string;
  status: 'started' | 'finished' | 'failed';
  input: unknown;
  summary?: string;
  sources?: Source[];
}

export type StreamFrame =
  | { type: 'ai_typing'; roomId: string; streamId: string; model: string; requestedBy: string | null }
  | { type: 'ai_chunk'; roomId: string; streamId: string; index: number; delta: string }
  | AiToolFrame
  | { type: 'ai_stream_end'; roomId: string; streamId: string; message: Message | null; error: { code: string; message: string } | null };

export interface RoomJoinedFrame {
  type: 'room_joined';
  roomId: string;
  lastSeq: number;
  replayed: RoomChangeFrame[];
  resync: boolean;
  typing: User[];
  aiStreams: AiStreamSnapshot[];
}

export type ServerFrame =
  | RoomChangeFrame
  | StreamFrame
  | RoomJoinedFrame
  | { type: 'room_deleted'; roomId: string }
  | { type: 'room_activity'; roomId: string; lastSeq: number }
  | { type: 'typing'; roomId: string; user: User; isTyping: boolean }
  | { type: 'message_ack'; clientId: string | null; message: Message }
  | { type: 'error'; code: string; message: string; requestType?: string; clientId?: string }
  | { type: 'pong' };

export type ClientFrame =
  | { type: 'join_room'; roomId: string; lastSeq?: number }
  | { type: 'leave_room'; roomId: string }
  | { type: 'typing'; roomId: string; isTyping: boolean }
  | { type: 'stop_ai'; roomId: string }
  | { type: 'ping' };
