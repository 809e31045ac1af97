import type { Db } from '../../db/schema.js';
import type { EventBus } from '../../events.js';
import { errors } from '../../errors.js';
import { newId, nowIso } from '../../lib/ids.js';
import { isUniqueViolation } from '../../lib/sqliteErrors.js';
import { findUserById, findUserByUsername, insertUser, updateUser, type UserRow } from '../users/repo.js';
import type { PasswordHasher } from './passwords.js';
import type { TokenService } from './tokens.js';

/** Password accounts: registration, login and profile changes. */
export class AuthService {
  constructor(
    private readonly db: Db,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly bus?: EventBus,
  ) {}

  async register(input: { username: string; password: string; displayName?: string }): Promise<{ token: string; user: UserRow }> {
    if (await findUserByUsername(this.db, input.username)) throw errors.conflict('username: already taken', 'username_taken');
    const hash = await this.hasher.hash(input.password);
    const now = nowIso();
    try {
      const user = await insertUser(this.db, {
        id: newId(),
        username: input.username,
        username_lower: input.username.toLowerCase(),
        display_name: input.displayName ?? input.username,
        password_hash: hash,
        nostr_pubkey: null,
        avatar_url: null,
        created_at: now,
        updated_at: now,
      });
      return { token: this.tokens.issue(user.id), user };
    } catch (err) {
      if (isUniqueViolation(err, 'username')) throw errors.conflict('username: already taken', 'username_taken');
      throw err;
    }
  }

  async login(input: { username: string; password: string }): Promise<{ token: string; user: UserRow }> {
    const user = await findUserByUsername(this.db, input.username);
    const ok = await this.hasher.verify(user?.password_hash ?? null, input.password);
    if (!user || !ok) throw errors.invalidCredentials();
    return { token: this.tokens.issue(user.id), user };
  }

  async updateProfile(
    userId: string,
    input: { displayName?: string; currentPassword?: string; newPassword?: string },
  ): Promise<UserRow> {
    const user = await findUserById(this.db, userId);
    if (!user) throw errors.unauthorized();
    const patch: { display_name?: string; password_hash?: string; updated_at: string } = { updated_at: nowIso() };
    if (input.displayName !== undefined) patch.display_name = input.displayName;
    if (input.newPassword !== undefined) {
      if (!user.password_hash) throw errors.invalid('currentPassword: this account signs in with Nostr and has no password');
      const ok = await this.hasher.verify(user.password_hash, input.currentPassword ?? '');
      if (!ok) throw errors.invalidCredentials('currentPassword: is wrong');
      patch.password_hash = await this.hasher.hash(input.newPassword);
    }
    const updated = await updateUser(this.db, userId, patch);
    this.bus?.emit('userUpdated', { user: updated });
    return updated;
  }
}

