import type { AiStreamSnapshot, AiToolFrame, Source, StreamFrame } from './types.js';

/** A tool call shown as a card while (and after) the assistant uses it. */
export interface ToolCard {
  callId: string;
  name: string;
  status: 'started' | 'finished' | 'failed';
  input: unknown;
  summary: string | null;
  sources: Source[];
}

/** The assistant's reply while it streams: text so far, the last chunk index applied, tools. */
export interface LiveStream {
  streamId: string;
  model: string | null;
  requestedBy: string | null;
  content: string;
  /** Index of the last chunk appended (chunks count 1, 2, 3… per stream). */
  index: number;
  /** Chunks that arrived ahead of a gap, by index, appended once the gap fills. */
  pending: Record<number, string>;
  tools: ToolCard[];
}

export type Streams = Readonly<Record<string, LiveStream>>;

function blank(streamId: string): LiveStream {
  return { streamId, model: null, requestedBy: null, content: '', index: 0, pending: {}, tools: [] };
}

/** Appends queued chunks that now follow on without a gap. */
function drain(s: LiveStream): LiveStream {
  let { content, index } = s;
  const pending = { ...s.pending };
  while (pending[index + 1] !== undefined) {
    content += pending[index + 1];
    delete pending[index + 1];
    index += 1;
  }
  for (const k of Object.keys(pending)) if (Number(k) <= index) delete pending[Number(k)];
  return { ...s, content, index, pending };
}

function upsertTool(tools: ToolCard[], card: ToolCard): ToolCard[] {
  const i = tools.findIndex((t) => t.callId === card.callId);
  if (i === -1) return [...tools, card];
  const next = tools.slice();
  next[i] = { ...tools[i], ...card, sources: card.sources.length ? card.sources : tools[i].sources };
  return next;
}

function toolFromFrame(f: Pick<AiToolFrame, 'callId' | 'name' | 'status' | 'input' | 'summary' | 'sources'>): ToolCard {
  return { callId: f.callId, name: f.name, status: f.status, input: f.input, summary: f.summary ?? null, sources: f.sources ?? [] };
}

/** Reads one tool entry of a room_joined snapshot defensively (its shape is the ai_tool frame's). */
function toolFromSnapshot(raw: unknown, i: number): ToolCard | null {
  if (!raw || typeof raw !== 'object') return null;
  const t = raw as Record<string, unknown>;
  const status = t.status === 'finished' || t.status === 'failed' ? t.status : 'started';
  const sources = Array.isArray(t.sources)
    ? (t.sources as unknown[]).filter((s): s is Source => !!s && typeof (s as Source).url === 'string').map((s) => ({ title: String(s.title ?? s.url), url: s.url }))
    : [];
  return {
    callId: typeof t.callId === 'string' ? t.callId : `tool-${i}`,
    name: typeof t.name === 'string' ? t.name : 'tool',
    status,
    input: t.input,
    summary: typeof t.summary === 'string' ? t.summary : null,
    sources,
  };
}

/** Applies one ai_* frame to the room's live streams. ai_stream_end removes the stream. */
export function applyStreamFrame(streams: Streams, frame: StreamFrame): Streams {
  const cur = streams[frame.streamId];
  switch (frame.type) {
    case 'ai_typing':
      return { ...streams, [frame.streamId]: { ...(cur ?? blank(frame.streamId)), model: frame.model, requestedBy: frame.requestedBy } };
    case 'ai_chunk': {
      const s = cur ?? blank(frame.streamId);
      if (frame.index <= s.index || s.pending[frame.index] !== undefined) return streams; // seen already
      const next = drain({ ...s, pending: { ...s.pending, [frame.index]: frame.delta } });
      return { ...streams, [frame.streamId]: next };
    }
    case 'ai_tool': {
      const s = cur ?? blank(frame.streamId);
      return { ...streams, [frame.streamId]: { ...s, tools: upsertTool(s.tools, toolFromFrame(frame)) } };
    }
    case 'ai_stream_end': {
      if (!cur) return streams;
      const { [frame.streamId]: _gone, ...rest } = streams;
      return rest;
    }
  }
}

/**
 * Applies room_joined.aiStreams after a (re)join: the snapshots are the streams running now, so
 * local streams missing from them ended while we were away (their stored reply arrives by replay).
 * A snapshot holds the text up to its `index`; later chunks continue from there, and chunks with
 * an index ≤ the snapshot's are ignored. A local copy that is already further along is kept.
 */
export function applySnapshots(streams: Streams, snapshots: AiStreamSnapshot[]): Streams {
  const out: Record<string, LiveStream> = {};
  for (const snap of snapshots) {
    const local = streams[snap.streamId];
    const tools = snap.tools.map(toolFromSnapshot).filter((t): t is ToolCard => t !== null);
    if (local && local.index >= snap.index) {
      out[snap.streamId] = { ...local, tools: tools.reduce(upsertTool, local.tools) };
      continue;
    }
    const base: LiveStream = {
      ...(local ?? blank(snap.streamId)),
      requestedBy: snap.requestedBy,
      content: snap.content,
      index: snap.index,
      tools: local ? tools.reduce(upsertTool, local.tools) : tools,
    };
    out[snap.streamId] = drain(base);
  }
  return out;
}
