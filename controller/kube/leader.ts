/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it: a
 * candidate takes the Lease when it is free or its holder has not renewed it for
 * `leaseDuration` (measured on the candidate's own clock from when it last saw the Lease change,
 * so clocks need not agree); the leader renews it every `retryPeriod` and steps down when it could
 * not renew for `renewDeadline`. Every write carries the resourceVersion read, so two candidates
 * never both win. Stopping releases the Lease so a standby takes over at once.
 */
import { isConflict, isNotFound, type KubeClient, type KubeObject, LEASES } from "./client.ts";
import { setTimeout as delay } from "node:timers/promises";

/** A Lease as far as leader election reads it. */
export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Options of a {@link LeaderElector}. */
export interface LeaderOptions {
  client: KubeClient;
  namespace: string;
  /** The Lease's name (default `skiff-controller`). */
  name?: string;
  /** This candidate's identity (default: hostname + random suffix). */
  identity?: string;
  /** ms (defaults 15 000, 10 000, 2 000, as client-go's usual settings). */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

/** Kubernetes' MicroTime: RFC 3339 with 6 fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Runs `lead` while this candidate holds the Lease. */
export class LeaderElector {
  readonly identity: string;
  #o: Required<Omit<LeaderOptions, "log" | "now">> & { log: ((line: string) => void) | undefined };
  #now: () => number;
  #observed: { record: string; at: number } | undefined;
  #leader = false;
  #lease: Lease | undefined;

  constructor(opts: LeaderOptions) {
    this.identity = opts.identity ?? `${safeHostname()}_${crypto.randomUUID().slice(0, 8)}`;
    this.#o = {
      client: opts.client,
      namespace: opts.namespace,
      name: opts.name ?? "skiff-controller",
      identity: this.identity,
      leaseDurationMs: opts.leaseDurationMs ?? 15_000,
      renewDeadlineMs: opts.renewDeadlineMs ?? 10_000,
      retryPeriodMs: opts.retryPeriodMs ?? 2_000,
      log: opts.log,
    };
    this.#now = opts.now ?? Date.now;
  }

  /** Does this candidate hold the Lease now? */
  get isLeader(): boolean {
    return this.#leader;
  }

  /**
   * Campaigns until `stop` aborts: each time it wins, calls `lead` with a signal that aborts when
   * leadership is lost (or `stop` aborts), and waits for `lead` to return before campaigning again.
   */
  async run(lead: (signal: AbortSignal) => Promise<void>, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      if (!(await this.#acquire(stop))) break;
      this.#leader = true;
      this.#log(`became the leader (Lease ${this.#o.namespace}/${this.#o.name})`);
      const lost = new AbortController();
      const renewing = this.#renewLoop(lost, stop);
      try {
        await lead(AbortSignal.any([lost.signal, stop]));
      } finally {
        lost.abort();
        await renewing;
        this.#leader = false;
      }
      if (stop.aborted) {
        await this.#release();
        break;
      }
      this.#log("lost the leadership; campaigning again");
    }
  }

  #log(line: string): void {
    this.#o.log?.(`leader election ${this.identity}: ${line}`);
  }

  /** Tries every retryPeriod until it holds the Lease; false when stopped first. */
  async #acquire(stop: AbortSignal): Promise<boolean> {
    while (!stop.aborted) {
      try {
        if (await this.#tryAcquireOrRenew()) return true;
      } catch (e) {
        this.#log(`could not read or write the Lease: ${e instanceof Error ? e.message : e}`);
      }
      await sleep(this.#o.retryPeriodMs * (1 + Math.random() * 0.2), stop);
    }
    return false;
  }

  async #renewLoop(lost: AbortController, stop: AbortSignal): Promise<void> {
    let lastRenew = this.#now();
    while (!lost.signal.aborted && !stop.aborted) {
      await sleep(this.#o.retryPeriodMs, lost.signal);
      if (lost.signal.aborted || stop.aborted) return;
      try {
        if (await this.#tryAcquireOrRenew()) {
          lastRenew = this.#now();
          continue;
        }
        this.#log("the Lease was taken by another candidate");
        lost.abort();
        return;
      } catch (e) {
        this.#log(`could not renew the Lease: ${e instanceof Error ? e.message : e}`);
      }
      if (this.#now() - lastRenew > this.#o.renewDeadlineMs) {
        this.#log(`not renewed for ${this.#o.renewDeadlineMs} ms: stepping down`);
        lost.abort();
        return;
      }
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { client, namespace, name } = this.#o;
    const now = this.#now();
    const mine = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
      renewTime: microTime(now),
    };
    let lease: Lease;
    try {
      lease = await client.get<Lease>(LEASES, namespace, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      try {
        this.#lease = await client.create<Lease>(LEASES, namespace, {
          metadata: { name, namespace },
          spec: { ...mine, acquireTime: microTime(now), leaseTransitions: 0 },
        });
        this.#observe(this.#lease, now);
        return true;
      } catch (e2) {
        if (isConflict(e2) || (e2 as { status?: number }).status === 409) return false;
        throw e2;
      }
    }
    this.#observe(lease, now);
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const held = holder !== "" && holder !== this.identity;
    const expired = this.#observed !== undefined &&
      this.#observed.at + (spec.leaseDurationSeconds ?? 15) * 1000 <= now;
    if (held && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: {
        ...spec,
        ...mine,
        acquireTime: holder === this.identity ? spec.acquireTime ?? microTime(now) : microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === this.identity ? 0 : 1),
      },
    };
    try {
      this.#lease = await client.replace<Lease>(LEASES, namespace, name, next);
    } catch (e) {
      if (isConflict(e)) return false; // another candidate wrote it first
      throw e;
    }
    this.#observe(this.#lease, now);
    return true;
  }

  /** Remembers when the Lease's record last changed, by our clock. */
  #observe(lease: Lease, now: number): void {
    const record = JSON.stringify(lease.spec ?? {});
    if (this.#observed?.record !== record) this.#observed = { record, at: now };
  }

  async #release(): Promise<void> {
    const lease = this.#lease;
    if (!lease || lease.spec?.holderIdentity !== this.identity) return;
    try {
      await this.#o.client.replace<Lease>(LEASES, this.#o.namespace, this.#o.name, {
        ...lease,
        spec: {
          ...lease.spec,
          holderIdentity: "",
          leaseDurationSeconds: 1,
          renewTime: microTime(this.#now()),
        },
      });
      this.#log("released the Lease");
    } catch (e) {
      this.#log(`could not release the Lease: ${e instanceof Error ? e.message : e}`);
    }
  }
}

/** Waits `ms`, or until `signal` aborts, resolving either way. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}

function safeHostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "skiff";
  }
}
