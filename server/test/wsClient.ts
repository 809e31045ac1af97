import { WebSocket } from 'ws';

/** A frame as received (JSON object with a `type`). */
export type Frame = { type: string; [key: string]: any };

export interface WsTestClient {
  ws: WebSocket;
  /** Every frame received so far, in order. */
  frames: Frame[];
  /** Binary frames received (the protocol sends text only, so tests expect 0). */
  binaryFrames: number;
  send(frame: unknown): void;
  /** Sends raw text (for invalid-frame tests). */
  sendRaw(text: string | Buffer): void;
  /**
   * Resolves with the first frame of that type (matching the predicate) not yet consumed by an
   * earlier next(); rejects after timeoutMs.
   */
  next(type: string, predicate?: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  /** Sends a frame and waits for the answer of the given type. */
  request(frame: unknown, type: string, predicate?: (f: Frame) => boolean): Promise<Frame>;
  /** Frames of a type received so far. */
  all(type: string): Frame[];
  /** Resolves with the close code and reason once the socket is closed. */
  closed: Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Connects a real `ws` client to the test server's /ws with a token (rejects on a refused upgrade). */
export function connectWs(baseUrl: string, token: string | null, opts: { autoPong?: boolean } = {}): Promise<WsTestClient> {
  const url = `${baseUrl.replace(/^http/, 'ws')}/ws${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
  const ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
  const frames: Frame[] = [];
  const consumed = new Set<Frame>();
  const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) client.binaryFrames++;
    const frame = JSON.parse(data.toString()) as Frame;
    frames.push(frame);
    const i = waiters.findIndex((w) => w.match(frame));
    if (i >= 0) {
      consumed.add(frame);
      waiters.splice(i, 1)[0].resolve(frame);
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const client: WsTestClient = {
    ws,
    frames,
    binaryFrames: 0,
    closed,
    send: (frame) => ws.send(JSON.stringify(frame)),
    sendRaw: (text) => ws.send(text),
    next(type, predicate = () => true, timeoutMs = 3_000) {
      const match = (f: Frame) => f.type === type && predicate(f);
      const already = frames.find((f) => !consumed.has(f) && match(f));
      if (already) {
        consumed.add(already);
        return Promise.resolve(already);
      }
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (f: Frame) => {
            clearTimeout(timer);
            resolve(f);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`timed out waiting for a "${type}" frame; got: ${frames.map((f) => f.type).join(', ')}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    request(frame, type, predicate) {
      const p = client.next(type, predicate);
      client.send(frame);
      return p;
    },
    all: (type) => frames.filter((f) => f.type === type),
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      await closed;
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.on('error', reject); // after open this is a no-op: the close event reports the outcome
  });
}
