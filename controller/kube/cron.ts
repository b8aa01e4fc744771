/**
 * CronWorkflows on Kubernetes, as Argo's cron controller runs them: for each CronWorkflow the
 * informer holds it asks the engine's {@link decideCron} what to do (the same decisions as the local
 * host), carries it out through the API (delete workflows beyond the history limits, terminate
 * running ones for `concurrencyPolicy: Replace`, create the workflow `<cron>-<unix seconds>`), writes
 * the CronWorkflow's status (`active`, `lastScheduledTime`, `succeeded`/`failed`, `conditions`,
 * `phase`) through its status subresource, and sleeps until the next scheduled time. Every `syncMs`
 * (Argo: 10 s) it also looks at all CronWorkflows again, and a workflow of a CronWorkflow that
 * finishes makes it look at that one at once.
 *
 * What it remembers is small and rebuilt from the API after a restart or a change of leader: per
 * CronWorkflow, since when it has watched it and up to which time scheduled times were dealt with
 * ({@link cronWatch}); a missed time runs once, the latest, within startingDeadlineSeconds. A
 * workflow is named after its scheduled time, so creating the same time twice is harmless (409 is
 * taken as "already submitted").
 */
import {
  childOf,
  type CronDecision,
  type CronWatch,
  cronWatch,
  decideCron,
  isChildOf,
  LAST_USED_SCHEDULE_ANNOTATION,
  recordRun,
} from "../engine/cron.ts";
import { schedulesOf } from "../engine/cron_schedule.ts";
import type { CronWorkflow, CronWorkflowStatus } from "../spec/types.ts";
import {
  CRON_WORKFLOWS,
  isAlreadyExists,
  isConflict,
  isNotFound,
  type KubeClient,
  type KubeObject,
  WORKFLOWS,
} from "./client.ts";
import { type Informer, keyOf } from "./informer.ts";
import { LABEL_CRON_WORKFLOW, LABEL_INSTANCE_ID } from "./labels.ts";
import type { WorkflowObject } from "./reconciler.ts";

/** A CronWorkflow as the API serves it. */
export type CronObject = CronWorkflow & KubeObject;

/** The index of workflows by `namespace/cron-workflow`. */
export const BY_CRON = "cron";

/** `namespace/cron` of a workflow a CronWorkflow made (its label). */
export function cronKeyOf(wf: WorkflowObject): string[] {
  const c = wf.metadata.labels?.[LABEL_CRON_WORKFLOW];
  return c ? [`${wf.metadata.namespace}/${c}`] : [];
}

/** Options of {@link CronController}. */
export interface CronControllerOptions {
  client: KubeClient;
  /** The CronWorkflows (started and synced by the caller). */
  crons: Informer<CronObject>;
  /** The workflows, indexed {@link BY_CRON} with {@link cronKeyOf}. */
  workflows: Informer<WorkflowObject>;
  /** The controller's instanceID: the label its workflows carry ("" : none). */
  instanceID: () => string;
  /** The clock (tests drive it). */
  now?: () => Date;
  /** How often every CronWorkflow is looked at besides its schedule (ms, default 10 000 as Argo). */
  syncMs?: number;
  log?: (line: string) => void;
}

/** The longest a timer waits before the controller looks again (setTimeout's limit is ~24.8 days). */
const MAX_SLEEP_MS = 60 * 60 * 1000;
const FINISHED = new Set(["Succeeded", "Failed", "Error"]);

interface Watch extends CronWatch {
  timer?: ReturnType<typeof setTimeout>;
}

/** Schedules the CronWorkflows of a {@link KubeController} while it leads. */
export class CronController {
  #o: CronControllerOptions;
  #now: () => Date;
  #log: (line: string) => void;
  #watches = new Map<string, Watch>();
  /** One sync at a time per CronWorkflow: the running one, and whether another is wanted after it. */
  #busy = new Map<string, Promise<CronDecision | undefined>>();
  #syncTimer: ReturnType<typeof setInterval> | undefined;
  #unsubscribe: (() => void)[] = [];
  #stopped = false;

  constructor(opts: CronControllerOptions) {
    this.#o = opts;
    this.#now = opts.now ?? (() => new Date());
    this.#log = opts.log ?? ((l) => console.error(`skiff controller: ${l}`));
  }

  /** Looks at every CronWorkflow now (running what was missed, as allowed), on changes, and periodically. */
  start(): void {
    if (this.#stopped || this.#syncTimer !== undefined) return;
    this.#unsubscribe.push(
      this.#o.crons.subscribe((e) => {
        const [ns, name] = split(keyOf(e.object));
        if (e.type === "delete") this.#forget(`${ns}/${name}`);
        else void this.sync(ns, name);
      }),
      // A finished workflow its CronWorkflow still counts as active: count it (and apply the history
      // limits) now. (Phase changes cannot be told from events: the reconciler's own writes reach
      // the cache before their watch events.)
      this.#o.workflows.subscribe((e) => {
        if (e.type === "delete" || !FINISHED.has(e.object.status?.phase ?? "")) return;
        for (const key of cronKeyOf(e.object)) {
          const [ns, name] = split(key);
          const active = this.#o.crons.get(ns, name)?.status?.active ?? [];
          if (active.some((r) => r.uid === e.object.metadata.uid)) void this.sync(ns, name);
        }
      }),
    );
    this.syncAll();
    this.#syncTimer = setInterval(() => this.syncAll(), this.#o.syncMs ?? 10_000);
  }

  /** Stops scheduling; waits for syncs under way (running workflows go on). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#syncTimer);
    for (const u of this.#unsubscribe) u();
    for (const w of this.#watches.values()) clearTimeout(w.timer);
    this.#watches.clear();
    await Promise.allSettled([...this.#busy.values()]);
  }

  /** Looks at every CronWorkflow; forgets deleted ones. */
  syncAll(): void {
    const present = new Set<string>();
    for (const c of this.#o.crons.list()) {
      const k = keyOf(c);
      present.add(k);
      void this.sync(...split(k));
    }
    for (const k of [...this.#watches.keys()]) if (!present.has(k)) this.#forget(k);
  }

  /**
   * Decides for one CronWorkflow (as the informer has it) and carries the decision out, then sets
   * its timer. Resolves to the decision (undefined when it does not exist or the decision could not
   * be carried out; the reason is logged and the next sync tries again).
   */
  sync(namespace: string, name: string): Promise<CronDecision | undefined> {
    const k = `${namespace}/${name}`;
    const prev = this.#busy.get(k) ?? Promise.resolve(undefined);
    const next = prev.catch(() => undefined).then(() => this.#sync(namespace, name));
    this.#busy.set(k, next);
    void next.finally(() => {
      if (this.#busy.get(k) === next) this.#busy.delete(k);
    });
    return next;
  }

  async #sync(namespace: string, name: string): Promise<CronDecision | undefined> {
    if (this.#stopped) return undefined;
    const k = `${namespace}/${name}`;
    const cron = this.#o.crons.get(namespace, name);
    clearTimeout(this.#watches.get(k)?.timer);
    if (!cron) {
      this.#watches.delete(k);
      return undefined;
    }
    const now = this.#now();
    const watch = this.#watch(k, cron, now);
    let decision: CronDecision;
    try {
      decision = decideCron({
        cron,
        now,
        after: watch.handledUntil,
        watchedSince: watch.watchedSince,
        children: this.#o.workflows.byIndex(BY_CRON, k)
          .filter((wf) => isChildOf(cron, wf))
          .map((wf) => childOf(wf)),
      });
      await this.#carryOut(cron, decision);
      watch.handledUntil = decision.handledUntil;
    } catch (e) {
      this.#log(`CronWorkflow ${k}: ${e instanceof Error ? e.message : e} (retrying at the next sync)`);
      return undefined;
    }
    if (decision.wakeAt && !this.#stopped && this.#watches.get(k) === watch) {
      const ms = Math.min(MAX_SLEEP_MS, Math.max(0, decision.wakeAt.getTime() - this.#now().getTime()));
      watch.timer = setTimeout(() => void this.sync(namespace, name), ms);
    }
    return decision;
  }

  /** The watch of a CronWorkflow, (re)started now for a new one or a changed spec. */
  #watch(k: string, cron: CronObject, now: Date): Watch {
    const prev = this.#watches.get(k);
    const w: Watch = cronWatch(prev, cron.metadata.uid ?? "", cron, now);
    if (w !== prev) this.#watches.set(k, w);
    return w;
  }

  #forget(k: string): void {
    clearTimeout(this.#watches.get(k)?.timer);
    this.#watches.delete(k);
  }

  async #carryOut(cron: CronObject, d: CronDecision): Promise<void> {
    const { client } = this.#o;
    const ns = cron.metadata.namespace ?? "default";
    const name = cron.metadata.name ?? "";
    for (const wf of d.deleteWorkflows) await client.delete(WORKFLOWS, ns, wf);
    let status = d.status;
    let ran = false;
    if (d.run) {
      for (const wf of d.run.terminate) await this.#terminate(ns, wf);
      const wf = structuredClone(d.run.workflow) as WorkflowObject;
      const instanceID = this.#o.instanceID();
      if (instanceID) wf.metadata.labels = { ...wf.metadata.labels, [LABEL_INSTANCE_ID]: instanceID };
      try {
        let created: WorkflowObject;
        try {
          created = await client.create<WorkflowObject>(WORKFLOWS, ns, wf);
        } catch (e) {
          if (!isAlreadyExists(e)) throw e;
          created = await client.get<WorkflowObject>(WORKFLOWS, ns, wf.metadata.name ?? "");
        }
        this.#o.workflows.remember(created);
        status = recordRun(cron, status, d.run, {
          submitted: { name: created.metadata.name ?? "", uid: created.metadata.uid ?? "", namespace: ns },
        });
        ran = true;
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        this.#log(`CronWorkflow ${ns}/${name}: could not create its workflow: ${text}`);
        status = recordRun(cron, status, d.run, { error: text });
      }
    }
    await this.#write(cron, status, d.addLabels, ran);
  }

  /** Writes labels/annotation (merge patch) and the status (status subresource), when they changed. */
  async #write(
    cron: CronObject,
    status: CronWorkflowStatus,
    addLabels: Record<string, string>,
    ran: boolean,
  ): Promise<void> {
    const { client } = this.#o;
    const ns = cron.metadata.namespace ?? "default";
    const name = cron.metadata.name ?? "";
    const labels = Object.entries(addLabels).filter(([k, v]) => cron.metadata.labels?.[k] !== v);
    const schedules = schedulesOf(cron.spec).join(",");
    const annotate = ran && cron.metadata.annotations?.[LAST_USED_SCHEDULE_ANNOTATION] !== schedules;
    if (labels.length > 0 || annotate) {
      const patched = await client.patch<CronObject>(CRON_WORKFLOWS, ns, name, "merge", {
        metadata: {
          ...(labels.length > 0 ? { labels: Object.fromEntries(labels) } : {}),
          ...(annotate ? { annotations: { [LAST_USED_SCHEDULE_ANNOTATION]: schedules } } : {}),
        },
      });
      this.#o.crons.remember(patched);
    }
    // The status as decided, onto the CronWorkflow as it is now (its spec may have changed meanwhile).
    for (let attempt = 0;; attempt++) {
      const latest = this.#o.crons.get(ns, name) ?? cron;
      if (latest.metadata.uid !== cron.metadata.uid) return; // deleted and made again: a new one
      if (JSON.stringify(latest.status ?? {}) === JSON.stringify(status)) return;
      try {
        const written = await client.replace<CronObject>(CRON_WORKFLOWS, ns, name, { ...latest, status }, {
          subresource: "status",
        });
        this.#o.crons.remember(written);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= 4) throw e;
        this.#o.crons.remember(await client.get<CronObject>(CRON_WORKFLOWS, ns, name));
      }
    }
  }

  /** Concurrency policy Replace: stop a running workflow of the CronWorkflow (`spec.shutdown: Terminate`). */
  async #terminate(namespace: string, name: string): Promise<void> {
    const wf = this.#o.workflows.get(namespace, name);
    if (!wf || FINISHED.has(wf.status?.phase ?? "") || wf.spec.shutdown) return;
    try {
      await this.#o.client.patch(WORKFLOWS, namespace, name, "merge", { spec: { shutdown: "Terminate" } });
    } catch (e) {
      if (isNotFound(e)) return;
      this.#log(`could not terminate workflow ${namespace}/${name}: ${e instanceof Error ? e.message : e}`);
    }
  }
}

function split(key: string): [string, string] {
  const i = key.indexOf("/");
  return [key.slice(0, i), key.slice(i + 1)];
}
