import { useEffect, useRef, useState } from 'preact/hooks';

/** A minimal observable store: one immutable state object, replaced on every update. */
export interface Store<S> {
  get(): S;
  /** Shallow-merges a patch (or the result of a function of the current state). */
  set(patch: Partial<S> | ((s: S) => Partial<S>)): void;
  subscribe(fn: (s: S) => void): () => void;
}

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  const subs = new Set<(s: S) => void>();
  return {
    get: () => state,
    set(patch) {
      const p = typeof patch === 'function' ? patch(state) : patch;
      state = { ...state, ...p };
      for (const fn of subs) fn(state);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
  };
}

function same(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  return a.every((x, i) => Object.is(x, b[i]));
}

/**
 * Subscribes a component to a slice of the store. The slice is computed during render (always
 * fresh); a store change re-renders only when the slice changed (by identity, or element-wise for
 * arrays, so selectors may build lists).
 */
export function useStore<S extends object, T>(store: Store<S>, select: (s: S) => T): T {
  const [, force] = useState(0);
  const value = select(store.get());
  const latest = useRef({ select, value });
  latest.current = { select, value };
  useEffect(() => {
    const check = (s: S) => {
      if (!same(latest.current.select(s), latest.current.value)) force((n) => n + 1);
    };
    const unsubscribe = store.subscribe(check);
    check(store.get()); // the store may have changed between render and this effect
    return unsubscribe;
  }, [store]);
  return value;
}
