import type { Generated, Kysely, Transaction } from 'kysely';

/** Row types of every table; migrations/ create them. Times are ISO 8601 UTC text. */
export interface UsersTable {
  id: string;
  username: string;
  username_lower: string;
  display_name: string;
  password_hash: string | null;
  nostr_pubkey: string | null;
  avatar_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface RoomsTable {
  id: string;
  name: string;
  description: string;
  visibility: 'private' | 'public';
  created_by: string;
  created_at: string;
  updated_at: string;
  /** The room's change counter: every logged change takes last_seq + 1. */
  last_seq: Generated<number>;
  last_activity_at: string;
  ai_mode: 'mention' | 'always' | 'off';
  ai_model: string | null;
  system_prompt: string | null;
  web_search: Generated<number>;
}

export interface RoomMembersTable {
  room_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  joined_at: string;
}

export interface MessagesTable {
  id: string;
  room_id: string;
  seq: number;
  role: 'user' | 'assistant' | 'system';
  author_id: string | null;
  content: string;
  reply_to: string | null;
  hash: string;
  client_id: string | null;
  created_at: string;
  edited_at: string | null;
  /** JSON of the message's `ai` object (assistant replies only). */
  ai: string | null;
}

/** Per-room change log: the frame each change was announced with, for replay on reconnect. */
export interface RoomEventsTable {
  room_id: string;
  seq: number;
  type: string;
  frame: string;
  created_at: string;
}

export interface InvitesTable {
  token: string;
  room_id: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  max_uses: number | null;
  uses: Generated<number>;
  revoked_at: string | null;
}

export interface NostrInvitesTable {
  room_id: string;
  pubkey: string;
  invited_by: string;
  created_at: string;
}

export interface NostrChallengesTable {
  challenge: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

export interface UploadsTable {
  id: string;
  owner_id: string;
  kind: 'avatar' | 'chat';
  file_name: string;
  mime: string;
  size: number;
  width: number | null;
  height: number | null;
  created_at: string;
  message_id: string | null;
  position: number | null;
}

/** Assistant replies in flight; partial text is flushed here so a crash loses at most a second. */
export interface AiStreamsTable {
  stream_id: string;
  room_id: string;
  model: string;
  trigger: 'mention' | 'reply' | 'always';
  requested_by: string | null;
  content: string;
  /** JSON: {toolCalls, sources, contextMessages} so far. */
  meta: string;
  started_at: string;
  updated_at: string;
}

export interface Database {
  users: UsersTable;
  rooms: RoomsTable;
  room_members: RoomMembersTable;
  messages: MessagesTable;
  room_events: RoomEventsTable;
  invites: InvitesTable;
  nostr_invites: NostrInvitesTable;
  nostr_challenges: NostrChallengesTable;
  uploads: UploadsTable;
  ai_streams: AiStreamsTable;
}

export type Db = Kysely<Database>;
/** A handle usable both outside and inside a transaction (repos take either). */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
