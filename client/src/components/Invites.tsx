import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import type { Invite, Room } from '../lib/types.js';

function inviteLink(token: string): string {
  return `${location.origin}/invite/${encodeURIComponent(token)}`;
}

/** Invite links (create, copy, revoke) and invites by Nostr key (npub). */
export function Invites({ room }: { room: Room }) {
  const canList = room.myRole === 'owner' || room.myRole === 'admin';
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [active, setActive] = useState<Invite[]>([]);
  const [npub, setNpub] = useState('');
  const [info, setInfo] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => {
    if (canList) api.invites(room.id).then((r) => setActive(r.invites), () => {});
  };
  useEffect(refresh, [room.id, canList]);

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    setInfo(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const create = () =>
    run(async () => {
      const { invite } = await api.createInvite(room.id);
      setLink(inviteLink(invite.token));
      setCopied(false);
      refresh();
    });

  const copy = () =>
    run(async () => {
      if (!link) return;
      await navigator.clipboard.writeText(link);
      setCopied(true);
    });

  const revoke = (token: string) =>
    run(async () => {
      await api.revokeInvite(token);
      refresh();
    });

  const inviteNostr = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const r = await api.inviteNostr(room.id, npub.trim());
      setNpub('');
      setInfo(r.status === 'added' ? `${r.npub.slice(0, 16)}… was added to the room.` : `${r.npub.slice(0, 16)}… will join on their first Nostr sign-in.`);
    });
  };

  return (
    <section class="invites" aria-labelledby="invites-title">
      <h3 id="invites-title">Invite people</h3>
      <button type="button" onClick={() => void create()}>
        Create invite link
      </button>
      {link && (
        <div class="row">
          <input class="invite-link" readOnly value={link} aria-label="Invite link" onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => void copy()}>
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
      <form class="row" onSubmit={inviteNostr}>
        <label class="grow">
          <span class="visually-hidden">Nostr public key</span>
          <input placeholder="npub1… or hex public key" value={npub} onInput={(e) => setNpub(e.currentTarget.value)} required />
        </label>
        <button type="submit">Invite by npub</button>
      </form>
      {info && <p role="status">{info}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {canList && active.length > 0 && (
        <ul class="active-invites" aria-label="Active invite links">
          {active.map((i) => (
            <li key={i.token}>
              <span class="hint">
                …{i.token.slice(-6)} · used {i.uses}
                {i.maxUses ? `/${i.maxUses}` : ''}
                {i.expiresAt ? ` · until ${new Date(i.expiresAt).toLocaleDateString()}` : ''}
              </span>
              <button type="button" class="link" onClick={() => void revoke(i.token)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
