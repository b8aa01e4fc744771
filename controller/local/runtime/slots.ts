/**
 * A limit on how many steps run at once on this machine: a step takes one of `max` slots to start,
 * and waits in a first-in-first-out queue while none is free (the runtime reports it Pending, as a
 * pod waiting for room on a node).
 */

/** The slots of one runtime, and the steps waiting for one. */
export class StepSlots<T> {
  #used = 0;
  #queue: { id: string; item: T }[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new RangeError(`the step limit must be a whole number of at least 1, not ${max}`);
    }
  }

  /** Slots in use. */
  get used(): number {
    return this.#used;
  }

  /** Steps waiting, in order. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Takes a slot (true), or queues `item` under `id` when none is free (false). */
  acquire(id: string, item: T): boolean {
    if (this.#used < this.max && this.#queue.length === 0) {
      this.#used++;
      return true;
    }
    this.#queue.push({ id, item });
    return false;
  }

  /** Takes a slot even when none is free: a step that already runs (found again after a restart). */
  take(): void {
    this.#used++;
  }

  /** Gives a slot back; returns the queued items that now hold one and should start, oldest first. */
  release(): T[] {
    this.#used = Math.max(0, this.#used - 1);
    const next: T[] = [];
    while (this.#used < this.max && this.#queue.length > 0) {
      this.#used++;
      next.push(this.#queue.shift()!.item);
    }
    return next;
  }

  /** Is `id` waiting? */
  has(id: string): boolean {
    return this.#queue.some((q) => q.id === id);
  }

  /** Takes `id` out of the queue; undefined when it is not waiting. */
  remove(id: string): T | undefined {
    const i = this.#queue.findIndex((q) => q.id === id);
    return i < 0 ? undefined : this.#queue.splice(i, 1)[0]!.item;
  }

  /** Empties the queue (or only the items `which` selects); returns what was taken out. */
  drop(which: (item: T) => boolean = () => true): T[] {
    const out = this.#queue.filter((q) => which(q.item));
    this.#queue = this.#queue.filter((q) => !which(q.item));
    return out.map((q) => q.item);
  }
}

/** Memory one step takes at least: its executor is a Deno process of about 40 MB, plus the command. */
const MEMORY_PER_STEP = 64 * 1024 * 1024;

/**
 * The default limit: 4 steps per core (steps often wait on I/O or sleep, so more than one per
 * core keeps the machine busy; a fan-out of thousands does not start thousands of processes), at
 * most one per 64 MiB of available memory, and at least 4.
 */
export function defaultMaxSteps(): number {
  const cores = navigator.hardwareConcurrency || 1;
  let byMemory = Infinity;
  try {
    byMemory = Math.floor(Deno.systemMemoryInfo().available / MEMORY_PER_STEP);
  } catch {
    // Not readable here: the cores decide.
  }
  return Math.max(4, Math.min(4 * cores, byMemory));
}
