import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** Issues and checks HS256 session tokens; the subject is the user id. */
export class TokenService {
  /**
   * The secret as a KeyObject, built once: given a string, jsonwebtoken first tries to parse it
   * as a PEM public key on every call and only then falls back to a secret key; that failed
   * parse cost ~400 µs of CPU per verify (6.5 µs with a KeyObject; bench, notes/performance.md).
   */
  private readonly key: KeyObject;

  constructor(secret: string, private readonly ttlSeconds: number) {
    this.key = createSecretKey(Buffer.from(secret));
  }

  issue(userId: string): string {
    return jwt.sign({}, this.key, { algorithm: 'HS256', subject: userId, expiresIn: this.ttlSeconds });
  }

  /** Returns the user id, or null for a missing, malformed, expired or wrongly signed token. */
  verify(token: string | undefined | null): string | null {
    if (!token || token.length > 4096) return null;
    try {
      const payload = jwt.verify(token, this.key, { algorithms: ['HS256'] });
      return typeof payload === 'object' && typeof payload.sub === 'string' && payload.exp ? payload.sub : null;
    } catch {
      return null;
    }
  }
}
