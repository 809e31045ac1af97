import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTracked, captureOutput, stopChild } from './proc.mjs';

const GEN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'gen', 'wsgen.mjs');

/** Parent side of the load generator child: request/response over IPC plus timing events. */
export class Generator {
  constructor() {
    this.child = forkTracked(GEN, [], { execArgv: [] });
    this.out = captureOutput(this.child);
    this.seq = 0;
    this.pending = new Map();
    this.child.on('message', (m) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.event) return p.hooks[m.event]?.();
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(`generator: ${m.error}`));
      else p.resolve(m.result);
    });
    this.child.on('exit', (code, sig) => {
      for (const p of this.pending.values()) p.reject(new Error(`generator exited (${code ?? sig}): ${this.out.text.slice(-500)}`));
      this.pending.clear();
    });
  }

  /** Sends one command; hooks receive the generator's 'warm' / 'sendEnd' events. */
  call(cmd, args = {}, hooks = {}) {
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, hooks });
      this.child.send({ id, cmd, args });
    });
  }

  get pid() {
    return this.child.pid;
  }

  stop() {
    return stopChild(this.child, 2000);
  }
}
