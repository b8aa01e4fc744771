/**
 * An informer of our own: list, then watch from the list's resourceVersion, keeping a cache of the
 * objects and telling subscribers what changed. Unlike client-node's, it never stops:
 *
 * - the watch asks for bookmarks (`allowWatchBookmarks`) and a server-side `timeoutSeconds`, so a
 *   healthy watch sends something at least every `timeoutSeconds`;
 * - a watchdog aborts a watch that received nothing for `idleMs` (a dead or stalled connection,
 *   which otherwise hangs without any error);
 * - on ANY error it restarts with exponential backoff (with jitter) from the last resourceVersion it
 *   saw; on 410 Gone (that version is too old) it lists again and reports the differences (objects
 *   that vanished meanwhile come out as deletes).
 */
import {
  ApiError,
  isGone,
  type KubeClient,
  type KubeObject,
  type Resource,
  type WatchEvent,
} from "./client.ts";

/** What changed. `old` is the cached object before an update or delete. */
export type InformerEvent<T> =
  | { type: "add"; object: T }
  | { type: "update"; object: T; old: T }
  | { type: "delete"; object: T };

/** Options of an {@link Informer}. */
export interface InformerOptions<T> {
  client: KubeClient;
  resource: Resource;
  /** Only this namespace (undefined: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * The server ends each watch after this many seconds (default 30); it is then resumed. This is the
   * heartbeat the watchdog relies on (watches run over HTTP/1.1, without HTTP/2 pings).
   */
  timeoutSeconds?: number;
  /** A watch that received nothing for this long is dead (default timeoutSeconds + 15 s: 45 s). */
  idleMs?: number;
  /** Backoff after an error: first delay and cap, ms (default 250 and 30 000). */
  backoffMs?: { initial: number; max: number };
  /** Changes objects before they are cached (default: drops metadata.managedFields). */
  transform?: (object: T) => T;
  /** Where restarts and errors are told (default: nowhere). */
  log?: (line: string) => void;
  /** Name used in log lines (default the resource's plural). */
  name?: string;
}

/** Counters of an informer's life, for health checks and tests. */
export interface InformerStats {
  lists: number;
  watches: number;
  /** Watches ended by an error or the watchdog. */
  failures: number;
  /** Of which: aborted by the watchdog. */
  stalls: number;
  /** Time of the last byte received (ms since epoch). */
  lastContact: number;
  /** The last error, if the latest attempt failed. */
  lastError?: string;
}

type Listener<T> = (event: InformerEvent<T>) => void;

/** The cache key of an object: `namespace/name` (`name` for cluster-scoped objects). */
export function keyOf(o: { metadata: { namespace?: string; name?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name ?? "";
}

/** A cache of one kind of object, kept current by list + watch. */
export class Informer<T extends KubeObject> {
  readonly stats: InformerStats = { lists: 0, watches: 0, failures: 0, stalls: 0, lastContact: 0 };
  #opts: InformerOptions<T>;
  #cache = new Map<string, T>();
  #indexes = new Map<string, { fn: (o: T) => string[]; map: Map<string, Set<string>> }>();
  #listeners = new Set<Listener<T>>();
  #rv: string | undefined;
  #stop = new AbortController();
  #current: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #synced = Promise.withResolvers<void>();
  #isSynced = false;
  #wakeBackoff: (() => void) | undefined;

  constructor(opts: InformerOptions<T>) {
    this.#opts = opts;
  }

  /** Resolves once the first list is in the cache. */
  get synced(): Promise<void> {
    return this.#synced.promise;
  }

  hasSynced(): boolean {
    return this.#isSynced;
  }

  /** The resourceVersion the informer has seen up to. */
  get resourceVersion(): string | undefined {
    return this.#rv;
  }

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: Listener<T>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds an index: `fn` gives the values an object is found under with {@link byIndex}. */
  addIndex(name: string, fn: (o: T) => string[]): void {
    const map = new Map<string, Set<string>>();
    for (const [k, o] of this.#cache) for (const v of fn(o)) addTo(map, v, k);
    this.#indexes.set(name, { fn, map });
  }

  /** Cached objects whose index `name` has `value`. */
  byIndex(name: string, value: string): T[] {
    const keys = this.#indexes.get(name)?.map.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.#cache.get(k)!).filter(Boolean);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.#cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.#cache.values()];
  }

  get size(): number {
    return this.#cache.size;
  }

  /** Puts an object this process wrote into the cache ahead of its watch event (if it is newer). */
  remember(object: T): void {
    const key = keyOf(object);
    const old = this.#cache.get(key);
    if (old && !newer(object, old)) return;
    this.#put(this.#transform(object));
  }

  /** Starts listing and watching (in the background). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops watching; the cache stays readable. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#current?.abort();
    this.#wakeBackoff?.();
    await this.#loop;
  }

  /** Ends the current watch now (as if the connection dropped); it resumes as after any error. */
  restartWatch(): void {
    this.#current?.abort(new Error("restart requested"));
  }

  /** Is the informer in touch with the server: synced and heard from within `idleMs` (or watching now)? */
  healthy(now = Date.now()): boolean {
    return this.#isSynced && now - this.stats.lastContact < this.#idleMs() * 2;
  }

  #idleMs(): number {
    return this.#opts.idleMs ?? (this.#opts.timeoutSeconds ?? 30) * 1000 + 15_000;
  }

  #log(line: string): void {
    this.#opts.log?.(`informer ${this.#opts.name ?? this.#opts.resource.plural}: ${line}`);
  }

  #transform(o: T): T {
    if (this.#opts.transform) return this.#opts.transform(o);
    if (o.metadata && "managedFields" in o.metadata) {
      const { managedFields: _, ...meta } = o.metadata as T["metadata"] & { managedFields?: unknown };
      return { ...o, metadata: meta };
    }
    return o;
  }

  async #run(): Promise<void> {
    const backoff = this.#opts.backoffMs ?? { initial: 250, max: 30_000 };
    let failures = 0;
    while (!this.#stop.signal.aborted) {
      let healthyRun = false;
      try {
        if (this.#rv === undefined) await this.#relist();
        healthyRun = await this.#watchOnce();
        if (healthyRun) failures = 0;
        else failures++;
        if (healthyRun) continue;
      } catch (e) {
        if (this.#stop.signal.aborted) break;
        this.stats.failures++;
        this.stats.lastError = e instanceof Error ? e.message : String(e);
        if (isGone(e)) {
          this.#log(`resourceVersion ${this.#rv} is too old (410): listing again`);
          this.#rv = undefined;
          failures = 0;
          continue;
        }
        failures++;
        this.#log(
          `watch failed (${this.stats.lastError}); retrying from resourceVersion ${this.#rv ?? "(list)"}`,
        );
      }
      if (this.#stop.signal.aborted) break;
      const delay = Math.min(backoff.max, backoff.initial * 2 ** Math.max(0, failures - 1));
      await this.#sleep(delay * (0.5 + Math.random() / 2));
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wakeBackoff = done;
    });
  }

  async #relist(): Promise<void> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#opts;
    this.stats.lists++;
    const list = await client.listAll<T>(resource, namespace, {
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    });
    this.stats.lastContact = Date.now();
    const seen = new Set<string>();
    for (const raw of list.items) {
      const o = this.#transform(raw);
      const key = keyOf(o);
      seen.add(key);
      const old = this.#cache.get(key);
      this.#put(o);
      if (!old) this.#emit({ type: "add", object: o });
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) {
        this.#emit({ type: "update", object: o, old });
      }
    }
    for (const [key, old] of [...this.#cache]) {
      if (seen.has(key)) continue;
      this.#remove(key);
      this.#emit({ type: "delete", object: old });
    }
    this.#rv = list.metadata.resourceVersion;
    if (!this.#isSynced) {
      this.#isSynced = true;
      this.#synced.resolve();
    }
  }

  /** One watch, until it ends. True when it ended normally after being useful. */
  async #watchOnce(): Promise<boolean> {
    const { client, resource, namespace, labelSelector, fieldSelector } = this.#opts;
    const timeoutSeconds = this.#opts.timeoutSeconds ?? 30;
    const ctrl = new AbortController();
    this.#current = ctrl;
    const signal = AbortSignal.any([ctrl.signal, this.#stop.signal]);
    const idleMs = this.#idleMs();
    let stalled = false;
    // The watchdog looks a few times per idleMs. When it runs late, this process was busy (a long
    // reconcile), not the connection silent: the stream gets a fresh idleMs to deliver what waits.
    let last = Date.now();
    let lastTick = last;
    const every = Math.max(10, Math.min(1000, idleMs / 4));
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - lastTick > every + 1000) last = now;
      lastTick = now;
      if (now - last > idleMs) {
        stalled = true;
        ctrl.abort(new Error(`no data for ${idleMs} ms`));
      }
    }, every);
    const touch = () => {
      last = Date.now();
      this.stats.lastContact = last;
    };
    const started = Date.now();
    let events = 0;
    this.stats.watches++;
    try {
      const stream = client.watch<T>(resource, namespace, {
        ...(labelSelector ? { labelSelector } : {}),
        ...(fieldSelector ? { fieldSelector } : {}),
        ...(this.#rv ? { resourceVersion: this.#rv } : {}),
        allowWatchBookmarks: true,
        // a little jitter, so that many watches do not all restart at once
        timeoutSeconds: Math.max(1, Math.round(timeoutSeconds * (0.9 + Math.random() * 0.2))),
      }, signal);
      for await (const ev of stream) {
        touch();
        events++;
        this.#apply(ev);
      }
      touch();
    } catch (e) {
      if (this.#stop.signal.aborted) return true;
      if (stalled) {
        this.stats.stalls++;
        throw new ApiError(0, "Stalled", `watch stalled: no data for ${idleMs} ms`);
      }
      if (ctrl.signal.aborted) {
        // restartWatch(): resume at once
        return true;
      }
      throw e;
    } finally {
      clearInterval(timer);
      if (this.#current === ctrl) this.#current = undefined;
    }
    // A watch the server ended right away, with nothing in it, counts as a failure (backoff).
    return events > 0 || Date.now() - started > 1000;
  }

  #apply(ev: WatchEvent<T>): void {
    const rv = ev.object?.metadata?.resourceVersion;
    if (ev.type === "BOOKMARK") {
      if (rv) this.#rv = rv;
      return;
    }
    const o = this.#transform(ev.object);
    const key = keyOf(o);
    const old = this.#cache.get(key);
    if (ev.type === "DELETED") {
      if (old) this.#remove(key);
      this.#emit({ type: "delete", object: o });
    } else {
      this.#put(o);
      if (old) this.#emit({ type: "update", object: o, old });
      else this.#emit({ type: "add", object: o });
    }
    if (rv) this.#rv = rv;
  }

  #put(o: T): void {
    const key = keyOf(o);
    const old = this.#cache.get(key);
    this.#cache.set(key, o);
    for (const { fn, map } of this.#indexes.values()) {
      if (old) { for (const v of fn(old)) map.get(v)?.delete(key); }
      for (const v of fn(o)) addTo(map, v, key);
    }
  }

  #remove(key: string): void {
    const old = this.#cache.get(key);
    if (!old) return;
    this.#cache.delete(key);
    for (const { fn, map } of this.#indexes.values()) {
      for (const v of fn(old)) {
        const set = map.get(v);
        set?.delete(key);
        if (set?.size === 0) map.delete(v);
      }
    }
  }

  #emit(event: InformerEvent<T>): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch (e) {
        this.#log(`a listener failed: ${e instanceof Error ? e.stack : e}`);
      }
    }
  }
}

function addTo(map: Map<string, Set<string>>, value: string, key: string): void {
  let set = map.get(value);
  if (!set) map.set(value, set = new Set());
  set.add(key);
}

/** Is `a` a later version than `b`? (resourceVersions are opaque, but etcd's are increasing integers.) */
function newer(a: KubeObject, b: KubeObject): boolean {
  const x = Number(a.metadata.resourceVersion);
  const y = Number(b.metadata.resourceVersion);
  if (Number.isFinite(x) && Number.isFinite(y)) return x > y;
  return a.metadata.resourceVersion !== b.metadata.resourceVersion;
}
