import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, ChatSocket, type WebSocketLike } from './socket.js';
import type { ServerFrame } from './types.js';

class FakeWs implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  constructor(public url: string) {}
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose() {
    this.readyState = 3;
    this.onclose?.({});
  }
  frame(f: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
}

describe('backoffDelay', () => {
  it('doubles from 0.5 s up to 30 s, with jitter between half and full', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, () => 1))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(3, () => 0)).toBe(2000);
  });
});

describe('ChatSocket', () => {
  let sockets: FakeWs[];
  let opens: number;
  let frames: ServerFrame[];
  let failures: number[];
  let sock: ChatSocket;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    opens = 0;
    frames = [];
    failures = [];
    sock = new ChatSocket({
      url: () => `ws://test/ws?token=t${sockets.length}`,
      createSocket: (url) => {
        const ws = new FakeWs(url);
        sockets.push(ws);
        return ws;
      },
      onFrame: (f) => frames.push(f),
      onOpen: () => opens++,
      onConnectFailed: (n) => failures.push(n),
      random: () => 1,
      pingMs: 1000,
      deadMs: 2500,
    });
  });
  afterEach(() => {
    sock.stop();
    vi.useRealTimers();
  });

  it('reconnects with growing delays and calls onOpen again so rooms are rejoined', () => {
    sock.start();
    sockets[0].open();
    expect(opens).toBe(1);
    sockets[0].serverClose();
    expect(sock.isOpen).toBe(false);
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1].serverClose(); // refused before opening
    expect(failures).toEqual([1]);
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    sockets[2].open();
    expect(opens).toBe(2);
    // A successful open resets the delay.
    sockets[2].serverClose();
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(4);
  });

  it('delivers parsed frames and ignores garbage', () => {
    sock.start();
    sockets[0].open();
    sockets[0].onmessage?.({ data: 'not json' });
    sockets[0].onmessage?.({ data: '{"no":"type"}' });
    sockets[0].frame({ type: 'pong' });
    expect(frames).toEqual([{ type: 'pong' }]);
  });

  it('sends only while open', () => {
    sock.start();
    expect(sock.send({ type: 'ping' })).toBe(false);
    sockets[0].open();
    expect(sock.send({ type: 'join_room', roomId: 'r', lastSeq: 4 })).toBe(true);
    expect(JSON.parse(sockets[0].sent[0])).toEqual({ type: 'join_room', roomId: 'r', lastSeq: 4 });
  });

  it('pings, and drops a silent connection to reconnect', () => {
    sock.start();
    sockets[0].open();
    vi.advanceTimersByTime(1000);
    expect(sockets[0].sent).toContain('{"type":"ping"}');
    sockets[0].frame({ type: 'pong' });
    vi.advanceTimersByTime(2000); // 2 s since the pong: still alive
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1000); // 3 s of silence > deadMs: dropped without waiting for a close
    expect(sock.isOpen).toBe(false);
    vi.advanceTimersByTime(500);
    expect(sockets).toHaveLength(2);
  });

  it('stop() closes for good', () => {
    sock.start();
    sockets[0].open();
    sock.stop();
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});
