import { describe, expect, it } from 'vitest';
import { applySnapshots, applyStreamFrame, type Streams } from './streams.js';
import type { StreamFrame } from './types.js';

const R = 'r1';
const S = 's1';
const typing: StreamFrame = { type: 'ai_typing', roomId: R, streamId: S, model: 'test/model', requestedBy: 'u1' };
const chunk = (index: number, delta: string): StreamFrame => ({ type: 'ai_chunk', roomId: R, streamId: S, index, delta });

function run(frames: StreamFrame[], start: Streams = {}): Streams {
  return frames.reduce(applyStreamFrame, start);
}

describe('stream chunk assembly', () => {
  it('appends chunks in index order', () => {
    const s = run([typing, chunk(1, 'Hel'), chunk(2, 'lo'), chunk(3, '!')]);
    expect(s[S].content).toBe('Hello!');
    expect(s[S].index).toBe(3);
    expect(s[S].model).toBe('test/model');
  });

  it('ignores duplicates and holds chunks after a gap until it fills', () => {
    const s = run([typing, chunk(1, 'a'), chunk(1, 'a'), chunk(3, 'c'), chunk(3, 'c')]);
    expect(s[S].content).toBe('a');
    const filled = run([chunk(2, 'b'), chunk(4, 'd')], s);
    expect(filled[S].content).toBe('abcd');
    expect(filled[S].index).toBe(4);
  });

  it('tracks tool calls by callId with their sources', () => {
    const s = run([
      typing,
      { type: 'ai_tool', roomId: R, streamId: S, callId: 'c1', name: 'web_search', status: 'started', input: { query: 'koa' } },
      { type: 'ai_tool', roomId: R, streamId: S, callId: 'c1', name: 'web_search', status: 'finished', input: { query: 'koa' }, summary: '2 results', sources: [{ title: 'Koa', url: 'https://koajs.com' }] },
    ]);
    expect(s[S].tools).toEqual([{ callId: 'c1', name: 'web_search', status: 'finished', input: { query: 'koa' }, summary: '2 results', sources: [{ title: 'Koa', url: 'https://koajs.com' }] }]);
  });

  it('ai_stream_end removes the stream', () => {
    const s = run([typing, chunk(1, 'x'), { type: 'ai_stream_end', roomId: R, streamId: S, message: null, error: null }]);
    expect(s[S]).toBeUndefined();
  });
});

describe('resuming from room_joined.aiStreams', () => {
  it('starts from the snapshot and ignores chunks up to its index', () => {
    let s = applySnapshots({}, [{ streamId: S, content: 'Hello wor', index: 4, tools: [], requestedBy: 'u1' }]);
    s = run([chunk(3, 'wor'), chunk(4, 'X'), chunk(5, 'ld'), chunk(6, '.')], s);
    expect(s[S].content).toBe('Hello world.');
  });

  it('replaces a stale local copy, drains chunks that now follow, and drops streams that ended meanwhile', () => {
    let local = run([typing, chunk(1, 'He'), chunk(4, '!')]); // 2 and 3 were lost with the connection
    local = { ...local, old: { ...local[S], streamId: 'old' } };
    const s = applySnapshots(local, [{ streamId: S, content: 'Hello', index: 3, tools: [{ callId: 'c1', name: 'fetch_page', status: 'started', input: { url: 'https://a.example' } }], requestedBy: 'u1' }]);
    expect(Object.keys(s)).toEqual([S]);
    expect(s[S].content).toBe('Hello!');
    expect(s[S].index).toBe(4);
    expect(s[S].tools.map((t) => [t.callId, t.status])).toEqual([['c1', 'started']]);
  });

  it('keeps a local copy that is already further along than the snapshot', () => {
    const local = run([typing, chunk(1, 'a'), chunk(2, 'b'), chunk(3, 'c')]);
    const s = applySnapshots(local, [{ streamId: S, content: 'ab', index: 2, tools: [], requestedBy: null }]);
    expect(s[S].content).toBe('abc');
  });
});
