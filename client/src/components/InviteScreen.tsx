import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage, type InvitePreview } from '../lib/api.js';
import { enterRoom, navigate } from '../lib/session.js';
import { store } from '../lib/state.js';
import { useStore } from '../lib/store.js';
import { AuthScreen } from './AuthScreen.js';

/** The `/invite/<token>` route: preview the room, sign in if needed, then accept. */
export function InviteScreen({ token }: { token: string }) {
  const user = useStore(store, (s) => s.user);
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.invitePreview(token).then(setPreview, (err) => setError(errorMessage(err)));
  }, [token]);

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const { room } = await api.acceptInvite(token);
      enterRoom(room);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <div class="invite-screen">
      <section class="card" aria-labelledby="invite-title">
        <h1 id="invite-title">Room invitation</h1>
        {!preview && !error && <p>Loading the invitation…</p>}
        {preview && (
          <>
            <p>
              You are invited to <strong>{preview.room.name}</strong> ({preview.room.memberCount} {preview.room.memberCount === 1 ? 'member' : 'members'}).
            </p>
            {!preview.valid && <p class="error">This invitation has expired or has been used up.</p>}
          </>
        )}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {user && preview?.valid && (
          <button type="button" class="primary" disabled={busy} onClick={() => void accept()}>
            Join {preview.room.name}
          </button>
        )}
        {user && (
          <button type="button" class="link" onClick={() => navigate({ name: 'home' })}>
            Back to my rooms
          </button>
        )}
      </section>
      {!user && <AuthScreen intro="Sign in or create an account to accept the invitation." />}
    </div>
  );
}
