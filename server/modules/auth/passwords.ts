import argon2 from 'argon2';
import { Semaphore } from '../../lib/semaphore.js';
import { errors } from '../../errors.js';

/**
 * argon2id with one lane (OWASP minimum profile: 19 MiB, t=2, p=1). Hashing is confined to a
 * small semaphore so a login storm cannot take both cores from the event loop; beyond the queue
 * the request is shed with 503 instead of waiting forever (see notes/performance.md §3).
 */
export class PasswordHasher {
  private readonly gate: Semaphore;
  private dummyHash: Promise<string> | null = null;

  constructor(
    private readonly options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
    concurrency = 1,
    maxQueue = 32,
  ) {
    this.gate = new Semaphore(concurrency, maxQueue);
  }

  async hash(password: string): Promise<string> {
    return this.confined(() => argon2.hash(password, { type: argon2.argon2id, ...this.options }));
  }

  /** Verifies; with no stored hash it still burns one verify so unknown users take as long. */
  async verify(hash: string | null, password: string): Promise<boolean> {
    const target = hash ?? (await this.getDummyHash());
    const ok = await this.confined(() => argon2.verify(target, password).catch(() => false));
    return hash !== null && ok;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= argon2.hash('not-a-real-password-0', { type: argon2.argon2id, ...this.options });
    return this.dummyHash;
  }

  private async confined<T>(fn: () => Promise<T>): Promise<T> {
    const result = await this.gate.run(fn);
    if (result === null) throw errors.unavailable('server_busy', 'Too many sign-ins right now, try again in a moment');
    return result as T;
  }
}
