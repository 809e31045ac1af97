import { api, errorMessage, setUnauthorizedHandler, tokenStore, type AuthAnswer } from './api.js';
import { openRoom, realtime } from './chat.js';
import { parseRoute, routePath, type Route } from './router.js';
import { putRoom, store } from './state.js';
import { unreadFromList } from './unread.js';
import type { Room } from './types.js';

/** Signing in and out, the room list, and navigation between screens. */

/** Navigates to a route (pushes history unless `replace`). */
export function navigate(route: Route, replace = false): void {
  const path = routePath(route);
  if (location.pathname !== path) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
  }
  applyRoute(route);
}

function applyRoute(route: Route): void {
  store.set({ route, notice: null });
  if (store.get().user) void openRoom(route.name === 'room' ? route.roomId : null);
}

/** Loads (or reloads) the caller's rooms and their unread markers. */
export async function loadRooms(): Promise<void> {
  try {
    const { rooms } = await api.rooms();
    store.set({ rooms: Object.fromEntries(rooms.map((r) => [r.id, r])), roomOrder: rooms.map((r) => r.id), unread: unreadFromList(rooms) });
  } catch (err) {
    store.set({ notice: errorMessage(err) });
  }
}

async function signedIn(answer: AuthAnswer): Promise<void> {
  tokenStore.set(answer.token);
  store.set({ token: answer.token, user: answer.user, ready: true, notice: null });
  await loadRooms();
  realtime.start();
  applyRoute(store.get().route);
}

/** Signs out locally: forgets the token and everything loaded with it. */
export function signOut(notice: string | null = null): void {
  realtime.stop();
  tokenStore.set(null);
  store.set({ token: null, user: null, rooms: {}, roomOrder: [], unread: {}, roomStates: {}, notice });
}

/** Start-up: read the route, check the stored token, connect. */
export async function boot(): Promise<void> {
  setUnauthorizedHandler(() => signOut('Your session has expired. Please sign in again.'));
  window.addEventListener('popstate', () => applyRoute(parseRoute(location.pathname)));
  store.set({ route: parseRoute(location.pathname) });
  const token = tokenStore.get();
  if (!token) return store.set({ ready: true });
  try {
    const { user } = await api.me();
    await signedIn({ token, user });
  } catch (err) {
    // A refused token has already signed out (with its notice); otherwise say what failed.
    store.set((s) => ({ ready: true, notice: s.notice ?? errorMessage(err) }));
  }
}

export async function login(username: string, password: string): Promise<void> {
  await signedIn(await api.login({ username, password }));
}

export async function register(username: string, password: string, displayName?: string): Promise<void> {
  await signedIn(await api.register({ username, password, ...(displayName ? { displayName } : {}) }));
}

interface Nip07 {
  getPublicKey(): Promise<string>;
  signEvent(event: { kind: number; created_at: number; tags: string[][]; content: string; pubkey?: string }): Promise<unknown>;
}

/** The NIP-07 signer a browser extension injects as `window.nostr`, if any. */
export function nostrSigner(): Nip07 | null {
  const n = (window as unknown as { nostr?: Nip07 }).nostr;
  return n && typeof n.getPublicKey === 'function' && typeof n.signEvent === 'function' ? n : null;
}

/** Sign in with Nostr: the server's challenge signed as a kind 27235 event by the extension. */
export async function loginWithNostr(): Promise<void> {
  const signer = nostrSigner();
  if (!signer) throw new Error('No Nostr signer found. Install a NIP-07 browser extension.');
  const challenge = await api.nostrChallenge();
  const pubkey = await signer.getPublicKey();
  const event = await signer.signEvent({
    kind: challenge.kind,
    created_at: Math.floor(Date.now() / 1000),
    tags: challenge.tags,
    content: '',
    pubkey,
  });
  await signedIn(await api.nostrVerify(event));
}

/** Adds a room the user just created or joined, and opens it. */
export function enterRoom(room: Room): void {
  putRoom(room, true);
  navigate({ name: 'room', roomId: room.id });
}
