import { useEffect, useState } from 'preact/hooks';
import { errorMessage } from '../lib/api.js';
import { login, loginWithNostr, nostrSigner, register } from '../lib/session.js';

/** Sign in / register with a password, or sign in with a Nostr (NIP-07) browser extension. */
export function AuthScreen({ intro }: { intro?: string }) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hasNostr, setHasNostr] = useState(() => nostrSigner() !== null);

  useEffect(() => {
    // Extensions may inject window.nostr shortly after the page loads.
    const t = setTimeout(() => setHasNostr(nostrSigner() !== null), 600);
    return () => clearTimeout(t);
  }, []);

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    void run(() => (mode === 'login' ? login(username.trim(), password) : register(username.trim(), password, displayName.trim() || undefined)));
  };

  return (
    <section class="auth card" aria-labelledby="auth-title">
      <h1 id="auth-title">{mode === 'login' ? 'Sign in' : 'Create an account'}</h1>
      {intro && <p>{intro}</p>}
      <form onSubmit={submit}>
        <label>
          Username
          <input name="username" autocomplete="username" required minLength={3} maxLength={32} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </label>
        {mode === 'register' && (
          <label>
            Display name <span class="hint">(optional)</span>
            <input name="displayName" maxLength={64} value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : 1}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'login' ? 'Sign in' : 'Register'}
        </button>
      </form>
      {hasNostr && (
        <button type="button" disabled={busy} onClick={() => void run(loginWithNostr)}>
          Sign in with Nostr
        </button>
      )}
      <p>
        {mode === 'login' ? 'No account yet? ' : 'Already registered? '}
        <button type="button" class="link" onClick={() => (setMode(mode === 'login' ? 'register' : 'login'), setError(null))}>
          {mode === 'login' ? 'Create one' : 'Sign in'}
        </button>
      </p>
    </section>
  );
}
