import { ToolError } from './types.js';

/** A total time budget merged with the caller's AbortSignal, shared by every tool adapter. */
export interface Deadline {
  /** Aborts when the budget runs out or the caller aborts; its `reason` is a ToolError. */
  readonly signal: AbortSignal;
  /** The ToolError explaining why `signal` aborted (`timeout` or `aborted`). */
  error(): ToolError;
  /** Settles with `p`, or rejects with `error()` as soon as the signal aborts (for APIs that take no signal). */
  race<T>(p: Promise<T>): Promise<T>;
  dispose(): void;
}

/** Starts a deadline; always `dispose()` it in a finally block so the timer does not linger. */
export function startDeadline(timeoutMs: number, outer: AbortSignal | undefined, what: string): Deadline {
  const ctl = new AbortController();
  const seconds = Math.round(timeoutMs / 100) / 10;
  const timer = setTimeout(() => ctl.abort(new ToolError('timeout', `${what} timed out after ${seconds} s`)), timeoutMs);
  const onAbort = () => ctl.abort(new ToolError('aborted', `${what} was cancelled`, { cause: outer?.reason }));
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });

  const error = () =>
    ctl.signal.reason instanceof ToolError ? ctl.signal.reason : new ToolError('aborted', `${what} was cancelled`);
  return {
    signal: ctl.signal,
    error,
    race<T>(p: Promise<T>): Promise<T> {
      // A late result or failure of the losing promise must not surface as an unhandled rejection.
      p.catch(() => undefined);
      if (ctl.signal.aborted) return Promise.reject(error());
      return new Promise<T>((resolve, reject) => {
        const stop = () => reject(error());
        ctl.signal.addEventListener('abort', stop, { once: true });
        p.then(
          (v) => {
            ctl.signal.removeEventListener('abort', stop);
            resolve(v);
          },
          (e) => {
            ctl.signal.removeEventListener('abort', stop);
            reject(e);
          },
        );
      });
    },
    dispose() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
