/**
 * The work queue of the controller (client-go's workqueue, in small): keys of workflows to
 * reconcile.
 *
 * - A key waiting in the queue is there once, however often it is added.
 * - A key is processed by one worker at a time; added while it is processed, it is processed once
 *   more afterwards (so no change is missed and no two reconciles of a workflow overlap).
 * - `addAt` schedules a key for later (the engine's "wake me at T"); the earliest time wins.
 * - A failed key is retried with exponential backoff; a success forgets its failures.
 */

/** Options of a {@link WorkQueue}. */
export interface WorkQueueOptions {
  /** How many keys are processed at once (default 4). */
  workers?: number;
  /** Processes one key. Throwing retries it with backoff. */
  process: (key: string) => Promise<void>;
  /** Told of each failure (default: nothing). */
  onError?: (key: string, error: unknown, retryInMs: number) => void;
  /** First retry delay and cap, ms (default 100 and 60 000). */
  backoffMs?: { initial: number; max: number };
  /** The clock (ms since epoch). */
  now?: () => number;
}

/** A deduplicating, per-key serialized work queue with delayed adds. */
export class WorkQueue {
  #opts: WorkQueueOptions;
  #queue = new Set<string>();
  #processing = new Set<string>();
  #dirty = new Set<string>();
  #delayed = new Map<string, { at: number; timer: ReturnType<typeof setTimeout> }>();
  #failures = new Map<string, number>();
  #workers: Promise<void>[] = [];
  #wake: (() => void)[] = [];
  #stopped = false;
  #idle: (() => void)[] = [];
  processed = 0;

  constructor(opts: WorkQueueOptions) {
    this.#opts = opts;
  }

  /** Keys waiting now (not counting delayed ones). */
  get length(): number {
    return this.#queue.size;
  }

  /** Keys scheduled for later. */
  get delayed(): number {
    return this.#delayed.size;
  }

  /** When `key` is scheduled (ms since epoch), if it is. */
  scheduledAt(key: string): number | undefined {
    return this.#delayed.get(key)?.at;
  }

  /** Queues `key` now. */
  add(key: string): void {
    if (this.#stopped) return;
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queue.has(key)) return;
    this.#queue.add(key);
    this.#wake.shift()?.();
  }

  /** Queues `key` at time `at` (ms since epoch) unless it is already scheduled earlier. */
  addAt(key: string, at: number): void {
    if (this.#stopped) return;
    const now = this.#now();
    if (at <= now) {
      this.add(key);
      return;
    }
    const current = this.#delayed.get(key);
    if (current && current.at <= at) return;
    if (current) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, at - now);
    this.#delayed.set(key, { at, timer });
  }

  /** Queues `key` after `ms`. */
  addAfter(key: string, ms: number): void {
    this.addAt(key, this.#now() + ms);
  }

  /** Drops a key's schedule and failure count (e.g. its workflow was deleted). */
  forget(key: string): void {
    const d = this.#delayed.get(key);
    if (d) clearTimeout(d.timer);
    this.#delayed.delete(key);
    this.#failures.delete(key);
  }

  /** Starts the workers. */
  start(): void {
    if (this.#workers.length > 0) return;
    const n = this.#opts.workers ?? 4;
    for (let i = 0; i < n; i++) this.#workers.push(this.#work());
  }

  /** Resolves once nothing is queued or processing (delayed keys do not count). */
  idle(): Promise<void> {
    if (this.#queue.size === 0 && this.#processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops taking keys, waits for those being processed, and drops the rest. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const d of this.#delayed.values()) clearTimeout(d.timer);
    this.#delayed.clear();
    for (const w of this.#wake.splice(0)) w();
    await Promise.all(this.#workers);
    this.#queue.clear();
    for (const r of this.#idle.splice(0)) r();
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }

  #next(): string | undefined {
    for (const key of this.#queue) {
      if (this.#processing.has(key)) continue;
      this.#queue.delete(key);
      return key;
    }
    return undefined;
  }

  async #work(): Promise<void> {
    while (!this.#stopped) {
      const key = this.#next();
      if (key === undefined) {
        this.#checkIdle();
        await new Promise<void>((resolve) => this.#wake.push(resolve));
        continue;
      }
      this.#processing.add(key);
      try {
        await this.#opts.process(key);
        this.#failures.delete(key);
      } catch (e) {
        const n = (this.#failures.get(key) ?? 0) + 1;
        this.#failures.set(key, n);
        const b = this.#opts.backoffMs ?? { initial: 100, max: 60_000 };
        const delay = Math.min(b.max, b.initial * 2 ** (n - 1));
        this.#opts.onError?.(key, e, delay);
        this.addAfter(key, delay);
      } finally {
        this.#processing.delete(key);
        this.processed++;
      }
      if (this.#dirty.delete(key)) this.add(key);
    }
  }

  #checkIdle(): void {
    if (this.#queue.size === 0 && this.#processing.size === 0) {
      for (const r of this.#idle.splice(0)) r();
    }
  }
}
