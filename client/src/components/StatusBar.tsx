import { store } from '../lib/state.js';
import { useStore } from '../lib/store.js';

/** Connection state and the latest error or notice. */
export function StatusBar() {
  const notice = useStore(store, (s) => s.notice);
  const connection = useStore(store, (s) => s.connection);
  const signedIn = useStore(store, (s) => s.user !== null);
  return (
    <div class="statusbar">
      {signedIn && connection !== 'open' && (
        <p class="conn" role="status">
          {connection === 'connecting' ? 'Connecting…' : 'Connection lost. Reconnecting…'}
        </p>
      )}
      {notice && (
        <p class="notice" role="alert">
          <span>{notice}</span>
          <button type="button" class="link" aria-label="Dismiss" onClick={() => store.set({ notice: null })}>
            ×
          </button>
        </p>
      )}
    </div>
  );
}
