import { performance } from 'node:perf_hooks';

// One monotonic clock shared by every bench process (CLOCK_MONOTONIC via hrtime), in µs, so
// an emit time written by one process can be subtracted from a receive time read in another.
const base = Number(process.hrtime.bigint() / 1000n) - performance.now() * 1000;

/** Microseconds on the system-wide monotonic clock (fractional). */
export const nowUs = () => base + performance.now() * 1000;

/** Resolves after ms milliseconds. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
