import type { Attachment, Invite, Member, Message, ModelInfo, Room, RoomSettings, User } from './types.js';

/** An API failure with the contract's `{error: {code, message}}` (or a network problem). */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TOKEN_KEY = 'chat.token';

/** The session token lives in localStorage so a reload keeps the user signed in. */
export const tokenStore = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (token: string | null): void => (token ? localStorage.setItem(TOKEN_KEY, token) : localStorage.removeItem(TOKEN_KEY)),
};

let onUnauthorized: () => void = () => {};

/** Called when an authenticated request answers 401 (expired or revoked token). */
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = tokenStore.get();
  if (token) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch {
    throw new ApiError(0, 'network_error', 'The server cannot be reached. Check your connection.');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!res.ok) {
    const err = data?.error;
    // Only a rejected token signs out; a wrong current password (invalid_credentials) does not.
    if (res.status === 401 && token && err?.code === 'unauthorized') onUnauthorized();
    throw new ApiError(res.status, err?.code ?? 'http_error', err?.message ?? `Request failed (${res.status})`);
  }
  return data as T;
}

function fileForm(file: File): FormData {
  const form = new FormData();
  form.append('file', file);
  return form;
}

export interface AuthAnswer {
  token: string;
  user: User;
}

export interface NostrChallenge {
  challenge: string;
  expiresAt: string;
  kind: number;
  tags: string[][];
}

export interface InvitePreview {
  invite: Invite;
  room: { id: string; name: string; memberCount: number };
  valid: boolean;
}

export type RoomPatch = Partial<{ name: string; description: string; visibility: 'private' | 'public'; settings: Partial<RoomSettings> }>;

const enc = encodeURIComponent;

/** The REST API (API.md), one function per route the client uses. */
export const api = {
  register: (b: { username: string; password: string; displayName?: string }) => request<AuthAnswer>('POST', '/api/auth/register', b),
  login: (b: { username: string; password: string }) => request<AuthAnswer>('POST', '/api/auth/login', b),
  me: () => request<{ user: User }>('GET', '/api/auth/me'),
  updateProfile: (b: { displayName?: string; currentPassword?: string; newPassword?: string }) => request<{ user: User }>('PATCH', '/api/auth/profile', b),
  uploadAvatar: (file: File) => request<{ user: User }>('POST', '/api/auth/avatar', fileForm(file)),
  nostrChallenge: () => request<NostrChallenge>('POST', '/api/auth/nostr/challenge'),
  nostrVerify: (event: unknown) => request<AuthAnswer & { created: boolean }>('POST', '/api/auth/nostr/verify', { event }),

  rooms: () => request<{ rooms: Room[] }>('GET', '/api/rooms'),
  publicRooms: () => request<{ rooms: Room[] }>('GET', '/api/rooms/public'),
  createRoom: (b: { name: string; description?: string; visibility?: 'private' | 'public' }) => request<{ room: Room }>('POST', '/api/rooms', b),
  room: (id: string) => request<{ room: Room; members: Member[] }>('GET', `/api/rooms/${enc(id)}`),
  updateRoom: (id: string, b: RoomPatch) => request<{ room: Room }>('PATCH', `/api/rooms/${enc(id)}`, b),
  deleteRoom: (id: string) => request<void>('DELETE', `/api/rooms/${enc(id)}`),
  joinRoom: (id: string) => request<{ room: Room }>('POST', `/api/rooms/${enc(id)}/join`),
  leaveRoom: (id: string) => request<void>('POST', `/api/rooms/${enc(id)}/leave`),
  clearRoom: (id: string) => request<void>('POST', `/api/rooms/${enc(id)}/clear`),
  setRole: (id: string, userId: string, role: 'admin' | 'member') => request<{ member: Member }>('PATCH', `/api/rooms/${enc(id)}/members/${enc(userId)}`, { role }),
  removeMember: (id: string, userId: string) => request<void>('DELETE', `/api/rooms/${enc(id)}/members/${enc(userId)}`),

  messages: (roomId: string, q: { before?: number; limit?: number } = {}) => {
    const qs = new URLSearchParams();
    if (q.before !== undefined) qs.set('before', String(q.before));
    qs.set('limit', String(q.limit ?? 50));
    return request<{ messages: Message[]; hasMore: boolean }>('GET', `/api/rooms/${enc(roomId)}/messages?${qs}`);
  },
  sendMessage: (roomId: string, b: { content: string; replyTo?: string; attachments?: string[]; clientId?: string }) =>
    request<{ message: Message }>('POST', `/api/rooms/${enc(roomId)}/messages`, b),
  deleteMessage: (id: string) => request<void>('DELETE', `/api/messages/${enc(id)}`),
  upload: (file: File) => request<{ upload: Attachment }>('POST', '/api/upload', fileForm(file)),

  createInvite: (roomId: string) => request<{ invite: Invite; url: string }>('POST', '/api/invites', { roomId }),
  invites: (roomId: string) => request<{ invites: Invite[] }>('GET', `/api/invites?roomId=${enc(roomId)}`),
  invitePreview: (token: string) => request<InvitePreview>('GET', `/api/invites/${enc(token)}`),
  acceptInvite: (token: string) => request<{ room: Room }>('POST', `/api/invites/${enc(token)}/accept`),
  revokeInvite: (token: string) => request<void>('DELETE', `/api/invites/${enc(token)}`),
  inviteNostr: (roomId: string, pubkey: string) =>
    request<{ roomId: string; pubkey: string; npub: string; status: 'added' | 'pending' }>('POST', '/api/invites/nostr', { roomId, pubkey }),

  models: () => request<{ models: ModelInfo[]; defaultModel: string }>('GET', '/api/models'),
};

/** A message to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}
