import { useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { signOut } from '../lib/session.js';
import { store } from '../lib/state.js';
import { useStore } from '../lib/store.js';
import { Avatar } from './Avatar.js';

/** The user's profile: display name, avatar, password change, Nostr key, sign-out. */
export function Profile() {
  const user = useStore(store, (s) => s.user)!;
  const [displayName, setDisplayName] = useState(user.displayName);
  const [currentPassword, setCurrentPassword] = useState('');
  const [newPassword, setNewPassword] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (fn: () => Promise<string>) => {
    setError(null);
    setStatus(null);
    try {
      setStatus(await fn());
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const saveName = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      store.set({ user: (await api.updateProfile({ displayName: displayName.trim() })).user });
      return 'Display name saved.';
    });
  };

  const savePassword = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await api.updateProfile({ currentPassword, newPassword });
      setCurrentPassword('');
      setNewPassword('');
      return 'Password changed.';
    });
  };

  const uploadAvatar = (e: Event) => {
    const el = e.currentTarget as HTMLInputElement;
    const file = el.files?.[0];
    if (!file) return;
    void run(async () => {
      store.set({ user: (await api.uploadAvatar(file)).user });
      el.value = '';
      return 'Avatar updated.';
    });
  };

  return (
    <section class="profile" aria-labelledby="profile-title">
      <h1 id="profile-title">Your profile</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {status && <p role="status">{status}</p>}
      <div class="row">
        <Avatar user={user} size={96} />
        <label class="button">
          Change avatar
          <input type="file" accept="image/png,image/jpeg,image/gif,image/webp" class="visually-hidden" onChange={uploadAvatar} />
        </label>
      </div>
      <p>
        Signed in as <strong>@{user.username}</strong>
        {user.npub && (
          <>
            {' '}
            · Nostr <code class="npub">{user.npub}</code>
          </>
        )}
      </p>
      <form onSubmit={saveName} class="card">
        <label>
          Display name
          <input required maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          Save name
        </button>
      </form>
      <form onSubmit={savePassword} class="card">
        <h2>Change password</h2>
        <input type="text" name="username" autocomplete="username" value={user.username} hidden readOnly />
        <label>
          Current password
          <input type="password" autocomplete="current-password" value={currentPassword} onInput={(e) => setCurrentPassword(e.currentTarget.value)} />
        </label>
        <label>
          New password
          <input type="password" autocomplete="new-password" required minLength={8} value={newPassword} onInput={(e) => setNewPassword(e.currentTarget.value)} />
        </label>
        <button type="submit">Change password</button>
      </form>
      <button type="button" class="danger" onClick={() => signOut()}>
        Sign out
      </button>
    </section>
  );
}
