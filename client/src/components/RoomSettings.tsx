import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../lib/api.js';
import { navigate } from '../lib/session.js';
import { dropRoom, putRoom } from '../lib/state.js';
import type { AiMode, ModelInfo, Room } from '../lib/types.js';

/** Room settings for owners and admins: name, visibility, the assistant's mode, model, prompt, search. */
export function RoomSettingsPanel({ room, onClose }: { room: Room; onClose: () => void }) {
  const [name, setName] = useState(room.name);
  const [description, setDescription] = useState(room.description);
  const [visibility, setVisibility] = useState(room.visibility);
  const [aiMode, setAiMode] = useState<AiMode>(room.settings.aiMode);
  const [model, setModel] = useState(room.settings.model ?? '');
  const [systemPrompt, setSystemPrompt] = useState(room.settings.systemPrompt ?? '');
  const [webSearch, setWebSearch] = useState(room.settings.webSearch);
  const [models, setModels] = useState<{ models: ModelInfo[]; defaultModel: string } | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOwner = room.myRole === 'owner';

  useEffect(() => {
    api.models().then(setModels, (err) => setError(errorMessage(err)));
  }, []);

  const run = async (fn: () => Promise<void>) => {
    setError(null);
    setStatus(null);
    try {
      await fn();
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const save = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      const { room: updated } = await api.updateRoom(room.id, {
        name: name.trim(),
        description,
        visibility,
        settings: { aiMode, model: model || null, systemPrompt: systemPrompt.trim() || null, webSearch },
      });
      putRoom(updated);
      setStatus('Saved.');
    });
  };

  const clear = () =>
    run(async () => {
      if (!confirm(`Remove all messages of ${room.name}? This cannot be undone.`)) return;
      await api.clearRoom(room.id);
      setStatus('All messages removed.');
    });

  const remove = () =>
    run(async () => {
      if (!confirm(`Delete ${room.name} for everyone? This cannot be undone.`)) return;
      await api.deleteRoom(room.id);
      navigate({ name: 'home' });
      dropRoom(room.id);
    });

  const known = models?.models ?? [];
  return (
    <aside class="panel" aria-labelledby="settings-title">
      <header class="panel-header">
        <h2 id="settings-title">Room settings</h2>
        <button type="button" class="link" onClick={onClose} aria-label="Close settings">
          ×
        </button>
      </header>
      <form onSubmit={save}>
        <label>
          Name
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Description
          <textarea maxLength={1000} rows={2} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        <label>
          Visibility
          <select value={visibility} onChange={(e) => setVisibility(e.currentTarget.value as Room['visibility'])}>
            <option value="private">Private</option>
            <option value="public">Public</option>
          </select>
        </label>
        <label>
          Assistant answers
          <select value={aiMode} onChange={(e) => setAiMode(e.currentTarget.value as AiMode)}>
            <option value="mention">When mentioned or replied to</option>
            <option value="always">To every message</option>
            <option value="off">Never (off)</option>
          </select>
        </label>
        <label>
          Model
          <select value={model} onChange={(e) => setModel(e.currentTarget.value)}>
            <option value="">Default{models ? ` (${models.defaultModel})` : ''}</option>
            {model && !known.some((m) => m.id === model) && <option value={model}>{model}</option>}
            {known.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name || m.id}
                {m.supportsImages ? ' · images' : ''}
              </option>
            ))}
          </select>
        </label>
        <label>
          System prompt
          <textarea maxLength={8000} rows={4} value={systemPrompt} onInput={(e) => setSystemPrompt(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={webSearch} onChange={(e) => setWebSearch(e.currentTarget.checked)} />
          Allow web search
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {status && <p role="status">{status}</p>}
        <button type="submit" class="primary">
          Save settings
        </button>
      </form>
      <section class="danger-zone" aria-label="Danger zone">
        <button type="button" class="danger" onClick={() => void clear()}>
          Clear all messages
        </button>
        {isOwner && (
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete room
          </button>
        )}
      </section>
    </aside>
  );
}
