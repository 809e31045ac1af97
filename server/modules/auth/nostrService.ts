import { randomBytes } from 'node:crypto';
import { npubEncode } from 'nostr-tools/nip19';
import type { Db } from '../../db/schema.js';
import { AppError, errors } from '../../errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { isUniqueViolation } from '../../lib/sqliteErrors.js';
import { findUserById, findUserByPubkey, findUserByUsername, insertUser, setPubkeyIfUnset, updateUser, type UserRow } from '../users/repo.js';
import { consumeChallenge, insertChallengeBounded } from './nostrRepo.js';
import { readProfileEvent, type NostrProfile } from './nostrProfile.js';
import { nostrAuthBody, NOSTR_AUTH_KIND } from './nostrSchema.js';
import { checkAuthEvent, type NostrRejectReason } from './nostrVerify.js';
import type { TokenService } from './tokens.js';

/** The challenge answer of the contract: the client signs exactly these tags. */
export interface ChallengeView {
  challenge: string;
  expiresAt: string;
  kind: number;
  tags: string[][];
}

export interface NostrAuthOptions {
  db: Db;
  tokens: TokenService;
  logger: Logger;
  /** Configured PUBLIC_URL; the only source of the expected `u` tag (never Host/X-Forwarded-*). */
  publicUrl: string;
  /** Turns pending Nostr invites for the user's pubkey into memberships (InvitesService). */
  resolvePendingInvites?: (user: UserRow) => Promise<void>;
  /** Told about profile changes (linking, kind-0 profile) so live sockets refresh. */
  onUserUpdated?: (user: UserRow) => void;
  /** Clock in milliseconds, injectable for tests. */
  now?: () => number;
  challengeTtlSeconds?: number;
  /** Global cap on unconsumed, unexpired challenges; beyond it issuing answers 429. */
  maxOutstanding?: number;
}

/** Largest allowed |now - created_at| of a sign-in event: 10 minutes, for slow remote signers. */
const MAX_SKEW_SECONDS = 600;
const GENERIC_MESSAGE = 'Nostr sign-in failed';

/**
 * Sign in with Nostr (NIP-98-style kind 27235 event over a single-use server challenge) and
 * linking a key to a password account. Every refusal is the same 401; the reason is only logged.
 */
export class NostrAuthService {
  readonly verifyUrl: string;
  readonly linkUrl: string;
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly maxOutstanding: number;

  constructor(private readonly opts: NostrAuthOptions) {
    this.verifyUrl = `${opts.publicUrl}/api/auth/nostr/verify`;
    this.linkUrl = `${opts.publicUrl}/api/auth/nostr/link`;
    this.now = opts.now ?? Date.now;
    this.ttlMs = (opts.challengeTtlSeconds ?? 300) * 1000;
    this.maxOutstanding = opts.maxOutstanding ?? 10_000;
  }

  /** Issues a fresh 256-bit challenge valid for 5 minutes (429 when too many are outstanding). */
  async issueChallenge(): Promise<ChallengeView> {
    const t = this.now();
    const challenge = randomBytes(32).toString('hex');
    const expiresAt = new Date(t + this.ttlMs).toISOString();
    const res = await insertChallengeBounded(
      this.opts.db,
      { challenge, createdAt: new Date(t).toISOString(), expiresAt },
      this.maxOutstanding,
    );
    if (!res.ok) {
      this.opts.logger.warn('nostr challenge store full; refusing new challenges');
      throw errors.rateLimited(res.retryAfterSeconds);
    }
    return {
      challenge,
      expiresAt,
      kind: NOSTR_AUTH_KIND,
      tags: [['u', this.verifyUrl], ['method', 'POST'], ['challenge', challenge]],
    };
  }

  /** Signs in (creating the account on a pubkey's first sign-in) from `{event, profile?}`. */
  async signIn(body: unknown): Promise<{ token: string; user: UserRow; created: boolean }> {
    const { pubkey, profile } = await this.authenticate(body, this.verifyUrl);
    let user = await findUserByPubkey(this.opts.db, pubkey);
    let created = false;
    if (user) user = await this.applyProfile(user, profile);
    else ({ user, created } = await this.createUser(pubkey, profile));
    await this.resolveInvites(user);
    return { token: this.opts.tokens.issue(user.id), user, created };
  }

  /**
   * Links the signing key to the signed-in account. The event's `u` must be the link route's URL,
   * so an event meant for sign-in cannot be replayed to attach someone's key to another account.
   */
  async link(current: UserRow, body: unknown): Promise<UserRow> {
    const { pubkey, profile } = await this.authenticate(body, this.linkUrl);
    const fresh = (await findUserById(this.opts.db, current.id)) ?? current;
    if (fresh.nostr_pubkey && fresh.nostr_pubkey !== pubkey) {
      throw errors.conflict('This account is already linked to a different Nostr key');
    }
    let user = fresh;
    if (!fresh.nostr_pubkey) {
      const owner = await findUserByPubkey(this.opts.db, pubkey);
      if (owner) throw errors.conflict('This Nostr key belongs to another account');
      try {
        const linked = await setPubkeyIfUnset(this.opts.db, fresh.id, pubkey, new Date(this.now()).toISOString());
        user = (await findUserById(this.opts.db, fresh.id))!;
        this.opts.onUserUpdated?.(user);
        if (!linked && user.nostr_pubkey !== pubkey) throw errors.conflict('This account is already linked to a different Nostr key');
      } catch (err) {
        if (isUniqueViolation(err, 'nostr_pubkey')) throw errors.conflict('This Nostr key belongs to another account');
        throw err;
      }
    }
    user = await this.applyProfile(user, profile);
    await this.resolveInvites(user);
    return user;
  }

  /** The verify checklist; consumes the challenge only after the signature passed. */
  private async authenticate(body: unknown, url: string): Promise<{ pubkey: string; profile: NostrProfile | null }> {
    const top = nostrAuthBody.safeParse(body);
    if (!top.success) this.reject('bad_body');
    const t = this.now();
    const check = checkAuthEvent(top.data.event, { url, method: 'POST', nowSeconds: Math.floor(t / 1000), maxSkewSeconds: MAX_SKEW_SECONDS });
    if (!check.ok) this.reject(check.reason);
    const { event, challenge } = check;
    if (!(await consumeChallenge(this.opts.db, challenge, new Date(t).toISOString()))) {
      this.reject('challenge_invalid', event.pubkey);
    }
    let profile: NostrProfile | null = null;
    if (top.data.profile !== undefined && top.data.profile !== null) {
      const p = readProfileEvent(top.data.profile, event.pubkey, Math.floor(t / 1000));
      if (p.ok) profile = p.profile;
      else this.opts.logger.info({ reason: p.reason, pubkey: event.pubkey }, 'nostr profile event ignored');
    }
    return { pubkey: event.pubkey, profile };
  }

  private reject(reason: NostrRejectReason | 'bad_body', pubkey?: string): never {
    this.opts.logger.info({ reason, ...(pubkey ? { pubkey } : {}) }, 'nostr auth rejected');
    throw new AppError(401, 'nostr_auth_failed', GENERIC_MESSAGE);
  }

  /** Creates the account of a pubkey's first sign-in; a parallel first sign-in yields the same user. */
  private async createUser(pubkey: string, profile: NostrProfile | null): Promise<{ user: UserRow; created: boolean }> {
    const npub = npubEncode(pubkey);
    for (let attempt = 0; attempt < 5; attempt++) {
      const username = await this.freeUsername(npub);
      const at = new Date(this.now()).toISOString();
      try {
        const user = await insertUser(this.opts.db, {
          id: newId(),
          username,
          username_lower: username.toLowerCase(),
          display_name: profile?.displayName ?? username,
          password_hash: null,
          nostr_pubkey: pubkey,
          avatar_url: profile?.picture ?? null,
          created_at: at,
          updated_at: at,
        });
        return { user, created: true };
      } catch (err) {
        if (isUniqueViolation(err, 'nostr_pubkey')) {
          const existing = await findUserByPubkey(this.opts.db, pubkey);
          if (existing) return { user: existing, created: false };
        }
        if (!isUniqueViolation(err, 'username')) throw err;
      }
    }
    throw new Error('could not find a free username for a new Nostr user');
  }

  /** `npub1` plus 8 characters of the npub, longer slices, then a numeric or random suffix. */
  private async freeUsername(npub: string): Promise<string> {
    const base = npub.slice(0, 13);
    const candidates = [base, npub.slice(0, 17), npub.slice(0, 21)];
    for (let n = 2; n <= 20; n++) candidates.push(`${base}_${n}`);
    for (const c of candidates) if (!(await findUserByUsername(this.opts.db, c))) return c;
    return `${base}_${randomBytes(6).toString('hex')}`;
  }

  /** Takes the profile's name while displayName is still the default, its picture while there is no avatar. */
  private async applyProfile(user: UserRow, profile: NostrProfile | null): Promise<UserRow> {
    if (!profile) return user;
    const patch: { display_name?: string; avatar_url?: string } = {};
    if (profile.displayName && user.display_name === user.username && profile.displayName !== user.display_name) {
      patch.display_name = profile.displayName;
    }
    if (profile.picture && !user.avatar_url) patch.avatar_url = profile.picture;
    if (!patch.display_name && !patch.avatar_url) return user;
    const updated = await updateUser(this.opts.db, user.id, { ...patch, updated_at: new Date(this.now()).toISOString() });
    this.opts.onUserUpdated?.(updated);
    return updated;
  }

  /** A failure here must not lock the user out; the invites stay pending for the next sign-in. */
  private async resolveInvites(user: UserRow): Promise<void> {
    if (!this.opts.resolvePendingInvites || !user.nostr_pubkey) return;
    try {
      await this.opts.resolvePendingInvites(user);
    } catch (err) {
      this.opts.logger.error({ err, userId: user.id }, 'resolving pending nostr invites failed');
    }
  }
}
