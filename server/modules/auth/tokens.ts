import jwt from 'jsonwebtoken';

/** Issues and checks HS256 session tokens; the subject is the user id. */
export class TokenService {
  constructor(private readonly secret: string, private readonly ttlSeconds: number) {}

  issue(userId: string): string {
    return jwt.sign({}, this.secret, { algorithm: 'HS256', subject: userId, expiresIn: this.ttlSeconds });
  }

  /** Returns the user id, or null for a missing, malformed, expired or wrongly signed token. */
  verify(token: string | undefined | null): string | null {
    if (!token || token.length > 4096) return null;
    try {
      const payload = jwt.verify(token, this.secret, { algorithms: ['HS256'] });
      return typeof payload === 'object' && typeof payload.sub === 'string' && payload.exp ? payload.sub : null;
    } catch {
      return null;
    }
  }
}
