import type { ClientFrame, ServerFrame } from './types.js';

export type SocketStatus = 'connecting' | 'open' | 'closed';

/** The part of the browser WebSocket the client uses (a fake stands in for it in tests). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketOptions {
  /** Builds the URL for each attempt (the token may have changed). */
  url: () => string;
  onFrame: (frame: ServerFrame) => void;
  onStatus?: (status: SocketStatus) => void;
  /** Called on every successful (re)connect: the place to rejoin rooms with their cursor. */
  onOpen?: () => void;
  /** Called after an attempt failed before opening (e.g. the token was refused with 401). */
  onConnectFailed?: (failuresInARow: number) => void;
  createSocket?: (url: string) => WebSocketLike;
  random?: () => number;
  /** Heartbeat: ping this often, and drop the connection if nothing arrived for `deadMs`. */
  pingMs?: number;
  deadMs?: number;
}

const OPEN = 1;

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 30 s, each scaled by 0.5–1. */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 500, maxMs = 30_000): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(exp * (0.5 + random() * 0.5));
}

/**
 * The WebSocket connection with automatic reconnect. It knows nothing about rooms: the caller
 * rejoins in `onOpen` with each room's cursor, so replay after a loss is driven by room state.
 */
export class ChatSocket {
  private ws: WebSocketLike | null = null;
  private attempt = 0;
  private failures = 0;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastFrameAt = 0;
  private status: SocketStatus = 'closed';

  constructor(private readonly opts: SocketOptions) {}

  /** Starts connecting (idempotent). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Closes for good (sign-out); no reconnect. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
      ws.close(1000, 'bye');
    }
    this.setStatus('closed');
  }

  get isOpen(): boolean {
    return this.ws?.readyState === OPEN && this.status === 'open';
  }

  /** Sends a frame if connected; returns false otherwise (the caller re-sends state on reopen). */
  send(frame: ClientFrame): boolean {
    if (!this.ws || !this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Drops the current connection and reconnects at once (e.g. the browser came back online). */
  reconnectNow(): void {
    if (this.stopped) return;
    this.attempt = 0;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
      this.open();
    } else if (this.ws && this.status === 'open') {
      this.drop('reconnect');
      this.reconnectNow();
    }
  }

  private setStatus(s: SocketStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.opts.onStatus?.(s);
  }

  private open(): void {
    this.setStatus('connecting');
    const create = this.opts.createSocket ?? ((url: string) => new WebSocket(url) as unknown as WebSocketLike);
    let opened = false;
    const ws = create(this.opts.url());
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.attempt = 0;
      this.failures = 0;
      this.lastFrameAt = Date.now();
      this.setStatus('open');
      this.startHeartbeat();
      this.opts.onOpen?.();
    };
    ws.onmessage = (ev) => {
      this.lastFrameAt = Date.now();
      if (typeof ev.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(ev.data) as ServerFrame;
      } catch {
        return;
      }
      if (frame && typeof frame === 'object' && typeof frame.type === 'string') this.opts.onFrame(frame);
    };
    ws.onerror = () => {
      /* onclose follows */
    };
    ws.onclose = () => this.lost(ws, opened);
  }

  /** Forgets a connection at once (without waiting for a closing handshake) and schedules a retry. */
  private drop(reason: string): void {
    const ws = this.ws;
    if (!ws) return;
    ws.onclose = ws.onmessage = ws.onerror = ws.onopen = null;
    ws.close(4000, reason);
    this.lost(ws, true);
  }

  private lost(ws: WebSocketLike, opened: boolean): void {
    if (this.ws !== ws) return;
    this.ws = null;
    this.stopHeartbeat();
    this.setStatus('closed');
    if (!opened) this.opts.onConnectFailed?.(++this.failures);
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.opts.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const pingMs = this.opts.pingMs ?? 25_000;
    const deadMs = this.opts.deadMs ?? 60_000;
    this.pingTimer = setInterval(() => {
      if (!this.ws) return;
      if (Date.now() - this.lastFrameAt > deadMs) {
        this.drop('heartbeat timeout');
        return;
      }
      this.send({ type: 'ping' });
    }, pingMs);
  }

  private stopHeartbeat(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
  }
}
