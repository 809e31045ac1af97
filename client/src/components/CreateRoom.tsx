import { useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { enterRoom } from '../lib/session.js';

/** A small form to create a room; the creator becomes its owner. */
export function CreateRoom({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<'private' | 'public'>('private');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const { room } = await api.createRoom({ name: name.trim(), visibility });
      onDone();
      enterRoom(room);
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <form class="create-room" onSubmit={submit} aria-label="Create a room">
      <label>
        Room name
        <input name="roomName" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} autoFocus />
      </label>
      <label>
        Visibility
        <select value={visibility} onChange={(e) => setVisibility(e.currentTarget.value as 'private' | 'public')}>
          <option value="private">Private (invite only)</option>
          <option value="public">Public (anyone can join)</option>
        </select>
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Create
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
