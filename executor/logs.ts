/**
 * The step's log: stdout and stderr appended to one file line by line as they arrive (so lines of
 * the two streams never interleave mid-line), optionally echoed to the executor's own stdout/stderr.
 */

/** Where one stream's bytes go besides the log file. */
export type Echo = (chunk: Uint8Array) => void | Promise<void>;

/** An append-only log file shared by a step's streams. Writes are serialized. */
export class StepLog {
  #file: Deno.FsFile | undefined;
  #queue: Promise<void> = Promise.resolve();

  private constructor(file: Deno.FsFile | undefined) {
    this.#file = file;
  }

  /** Opens (creating, or truncating when `truncate`) the log at `path`; without a path nothing is written. */
  static async open(path: string | undefined, opts: { truncate?: boolean } = {}): Promise<StepLog> {
    if (path === undefined) return new StepLog(undefined);
    const file = await Deno.open(path, {
      create: true,
      write: true,
      append: !opts.truncate,
      truncate: opts.truncate ?? false,
    });
    return new StepLog(file);
  }

  /** Appends bytes (whole lines) in order. */
  write(bytes: Uint8Array): Promise<void> {
    const file = this.#file;
    if (file === undefined || bytes.length === 0) return this.#queue;
    this.#queue = this.#queue.then(async () => {
      let at = 0;
      while (at < bytes.length) at += await file.write(bytes.subarray(at));
    });
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    this.#file?.close();
    this.#file = undefined;
  }
}

/** Splits one stream into whole lines for the log; a partial line is held until its newline or the end. */
export class LineSplitter {
  #pending: Uint8Array[] = [];
  #pendingSize = 0;
  constructor(readonly log: StepLog, readonly maxPending = 64 * 1024) {}

  push(chunk: Uint8Array): Promise<void> {
    const nl = chunk.lastIndexOf(10);
    if (nl < 0) {
      this.#pending.push(chunk.slice());
      this.#pendingSize += chunk.length;
      // A very long line (or a progress bar that never ends one) is written as it is.
      return this.#pendingSize >= this.maxPending ? this.flush() : Promise.resolve();
    }
    const head = chunk.subarray(0, nl + 1);
    const out = this.#take(head);
    const rest = chunk.subarray(nl + 1);
    if (rest.length > 0) {
      this.#pending.push(rest.slice());
      this.#pendingSize = rest.length;
    }
    return this.log.write(out);
  }

  /** Writes what is held (at the stream's end). */
  flush(): Promise<void> {
    return this.log.write(this.#take(new Uint8Array()));
  }

  #take(tail: Uint8Array): Uint8Array {
    const out = new Uint8Array(this.#pendingSize + tail.length);
    let at = 0;
    for (const p of this.#pending) {
      out.set(p, at);
      at += p.length;
    }
    out.set(tail, at);
    this.#pending = [];
    this.#pendingSize = 0;
    return out;
  }
}

/**
 * Reads a stream to its end (or until `signal` aborts), feeding every chunk to `sinks`. Errors of an
 * echo are ignored (e.g. a closed pipe); the step goes on without it.
 */
export async function pump(
  stream: ReadableStream<Uint8Array>,
  sinks: { log: LineSplitter; echo?: Echo | undefined; tail?: { push(c: Uint8Array): void } },
  signal?: AbortSignal,
): Promise<void> {
  const reader = stream.getReader();
  const cancel = () => reader.cancel().catch(() => {});
  signal?.addEventListener("abort", cancel, { once: true });
  let echoBroken = false;
  try {
    while (true) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) break;
      sinks.tail?.push(value);
      await sinks.log.push(value);
      if (sinks.echo && !echoBroken) {
        try {
          await sinks.echo(value);
        } catch {
          echoBroken = true;
        }
      }
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    reader.releaseLock();
  }
  await sinks.log.flush();
}
