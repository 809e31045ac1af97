import net from 'node:net';

// A lean WebSocket client over raw TCP: handshake by hand, client frames masked with a zero key
// (payload bytes unchanged, no XOR pass), server frames parsed in place and handed to onFrame
// as (buffer, start, end, recvTimeGroup) without decoding to strings. Far cheaper per message
// than the `ws` client, so a single generator process can drive ~100k deliveries/s.
const REQ_TAIL = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const HDR_END = Buffer.from('\r\n\r\n');

export class LeanWs {
  /**
   * @param {{host: string, port: number, path: string}} target
   * @param {(buf: Buffer, start: number, end: number) => void} onFrame text/binary payloads
   * @param {(reason: string) => void} [onClose]
   */
  constructor(target, onFrame, onClose) {
    this.target = target;
    this.onFrame = onFrame;
    this.onClose = onClose;
    this.sock = null;
    this.pending = null;
    this.open = false;
    this.fragments = null;
  }

  /** Resolves once upgraded; rejects with err.status set when the server answered non-101. */
  connect(timeoutMs = 10000) {
    const { host, port, path } = this.target;
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host, port });
      this.sock = sock;
      sock.setNoDelay(true);
      let head = null;
      const timer = setTimeout(() => fail(new Error('connect timeout')), timeoutMs);
      const fail = (err) => {
        clearTimeout(timer);
        sock.destroy();
        reject(err);
      };
      sock.once('error', fail);
      sock.once('connect', () => sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\n${REQ_TAIL}`));
      const onHandshake = (chunk) => {
        head = head ? Buffer.concat([head, chunk]) : chunk;
        const at = head.indexOf(HDR_END);
        if (at < 0) return;
        const status = Number(head.toString('latin1', 9, 12));
        if (status !== 101) {
          const err = new Error(`HTTP ${status}`);
          err.status = status;
          return fail(err);
        }
        clearTimeout(timer);
        sock.off('data', onHandshake);
        sock.off('error', fail);
        sock.on('error', () => {});
        sock.on('close', () => {
          this.open = false;
          this.onClose?.('closed');
        });
        sock.on('data', (c) => this.onData(c));
        this.open = true;
        resolve();
        const rest = head.subarray(at + 4);
        if (rest.length) this.onData(rest);
      };
      sock.on('data', onHandshake);
    });
  }

  onData(chunk) {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let off = 0;
    const n = buf.length;
    while (n - off >= 2) {
      const b0 = buf[off];
      let len = buf[off + 1] & 0x7f;
      let hdr = 2;
      if (len === 126) {
        if (n - off < 4) break;
        len = buf.readUInt16BE(off + 2);
        hdr = 4;
      } else if (len === 127) {
        if (n - off < 10) break;
        len = buf.readUInt32BE(off + 2) * 2 ** 32 + buf.readUInt32BE(off + 6);
        hdr = 10;
      }
      if (n - off < hdr + len) break;
      const start = off + hdr;
      const end = start + len;
      const opcode = b0 & 0x0f;
      const fin = b0 & 0x80;
      if (opcode === 1 || opcode === 2) {
        if (fin) this.onFrame(buf, start, end);
        else this.fragments = [buf.subarray(start, end)];
      } else if (opcode === 0 && this.fragments) {
        this.fragments.push(buf.subarray(start, end));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = null;
          this.onFrame(whole, 0, whole.length);
        }
      } else if (opcode === 9) this.control(0x8a, buf.subarray(start, end));
      else if (opcode === 8) {
        this.control(0x88, buf.subarray(start, Math.min(end, start + 2)));
        this.sock.end();
      }
      off = end;
    }
    if (off < n) this.pending = Buffer.from(buf.subarray(off));
  }

  control(b0, payload) {
    if (!this.open) return;
    const f = Buffer.alloc(6 + payload.length);
    f[0] = b0;
    f[1] = 0x80 | payload.length;
    payload.copy(f, 6);
    this.sock.write(f);
  }

  /** Sends one text frame (zero mask key). */
  send(str) {
    if (!this.open) return false;
    const len = Buffer.byteLength(str);
    let f;
    if (len < 126) {
      f = Buffer.allocUnsafe(6 + len);
      f[1] = 0x80 | len;
      f.writeUInt32BE(0, 2);
      f.write(str, 6);
    } else if (len < 65536) {
      f = Buffer.allocUnsafe(8 + len);
      f[1] = 0x80 | 126;
      f.writeUInt16BE(len, 2);
      f.writeUInt32BE(0, 4);
      f.write(str, 8);
    } else {
      f = Buffer.allocUnsafe(14 + len);
      f[1] = 0x80 | 127;
      f.writeUInt32BE(0, 2);
      f.writeUInt32BE(len, 6);
      f.writeUInt32BE(0, 10);
      f.write(str, 14);
    }
    f[0] = 0x81;
    return this.sock.write(f);
  }

  close() {
    if (!this.sock) return;
    if (this.open) this.control(0x88, Buffer.from([0x03, 0xe8]));
    this.open = false;
    this.sock.end();
    setTimeout(() => this.sock.destroy(), 1000).unref();
  }
}
