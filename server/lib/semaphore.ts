/**
 * Bounded concurrency with a bounded queue: work beyond `maxQueue` is refused at once (the caller
 * sheds load with 503) instead of waiting forever.
 */
export class Semaphore {
  private active = 0;
  private queue: Array<() => void> = [];

  constructor(private readonly max: number, private readonly maxQueue: number) {}

  /** Runs fn when a slot is free; returns null without running it when the queue is full. */
  async run<T>(fn: () => Promise<T>): Promise<T | null> {
    if (this.active >= this.max) {
      if (this.queue.length >= this.maxQueue) return null;
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}
