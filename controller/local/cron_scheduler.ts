/**
 * The CronWorkflow scheduler of the local host: for each stored CronWorkflow it asks
 * {@link decideCron} what to do, carries it out through the {@link LocalHost} (delete workflows
 * beyond the history limits, terminate running ones for Replace, submit the scheduled workflow with
 * its template references resolved) and stores the CronWorkflow's status, then sleeps until the next
 * scheduled time. Every `syncMs` (Argo: 10 s) it also looks at all CronWorkflows again, which picks
 * up workflows that finished; {@link CronScheduler.changed} makes it look at one at once (the API
 * calls it after writing a CronWorkflow).
 *
 * What it remembers is small: per CronWorkflow, since when it has watched it and up to which time
 * scheduled times were dealt with. After a restart, and after a change of its spec (as Argo, which
 * looks again at every update: resuming a suspended one, say), it starts from
 * `status.lastScheduledTime`, so the latest time missed meanwhile runs when startingDeadlineSeconds
 * allows (and the schedules did not change since that run: the
 * `cronworkflows.argoproj.io/last-used-schedule` annotation). A workflow is named after its
 * scheduled time, so submitting the same time twice (a stop between submitting and recording) is
 * harmless.
 */
import type { CronWorkflow, Workflow } from "../spec/types.ts";
import {
  childOf,
  CRON_LABEL,
  type CronChild,
  type CronDecision,
  type CronWatch,
  cronWatch,
  decideCron,
  isChildOf,
  LAST_USED_SCHEDULE_ANNOTATION,
  recordRun,
} from "../engine/cron.ts";
import { schedulesOf } from "../engine/cron_schedule.ts";
import { type LocalHost, workflowDone } from "./host.ts";
import { ObjectTable } from "./service_objects.ts";
import { hydrate } from "./service_support.ts";

/** Options of {@link CronScheduler}. */
export interface CronSchedulerOptions {
  host: LocalHost;
  /** The clock (tests may drive it). */
  now?: () => Date;
  /** How often every CronWorkflow is looked at besides its schedule (ms, default 10 000 as Argo). */
  syncMs?: number;
  /** Where problems are reported (default console.error). */
  log?: (line: string) => void;
}

/** The longest a timer waits before the scheduler looks again (setTimeout's limit is ~24.8 days). */
const MAX_SLEEP_MS = 60 * 60 * 1000;

interface Watch extends CronWatch {
  timer?: ReturnType<typeof setTimeout>;
}

/** Runs the CronWorkflows stored with a local host. */
export class CronScheduler {
  readonly host: LocalHost;
  #objects: ObjectTable;
  #now: () => Date;
  #syncMs: number;
  #log: (line: string) => void;
  #watches = new Map<string, Watch>();
  #syncTimer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  constructor(opts: CronSchedulerOptions) {
    this.host = opts.host;
    this.#objects = new ObjectTable(opts.host.store.db);
    this.#now = opts.now ?? (() => new Date());
    this.#syncMs = opts.syncMs ?? 10_000;
    this.#log = opts.log ?? ((l) => console.error(l));
  }

  /** Looks at every CronWorkflow now (running what was missed, as allowed) and then periodically. */
  start(): void {
    if (this.#closed || this.#syncTimer !== undefined) return;
    this.syncAll();
    this.#syncTimer = setInterval(() => this.syncAll(), this.#syncMs);
  }

  /** A CronWorkflow was created, changed or deleted: look at it now. */
  changed(namespace: string, name: string): void {
    if (this.#syncTimer !== undefined) this.sync(namespace, name);
  }

  /** Stops scheduling (running workflows go on). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#syncTimer);
    for (const w of this.#watches.values()) clearTimeout(w.timer);
    this.#watches.clear();
  }

  /** Looks at every CronWorkflow; forgets deleted ones. */
  syncAll(): void {
    const present = new Set<string>();
    for (const c of this.#objects.listAll<CronWorkflow>("CronWorkflow")) {
      present.add(key(c.namespace, c.name));
      this.sync(c.namespace, c.name);
    }
    for (const [k, w] of this.#watches) {
      if (present.has(k)) continue;
      clearTimeout(w.timer);
      this.#watches.delete(k);
    }
  }

  /**
   * Decides for one CronWorkflow and carries the decision out (synchronously: store and host calls
   * do not wait), then sets its timer. Returns the decision (undefined when it does not exist).
   */
  sync(namespace: string, name: string): CronDecision | undefined {
    if (this.#closed) return undefined;
    const k = key(namespace, name);
    const stored = this.#objects.get<CronWorkflow>("CronWorkflow", namespace, name);
    const old = this.#watches.get(k);
    if (old) clearTimeout(old.timer);
    if (!stored) {
      this.#watches.delete(k);
      return undefined;
    }
    const now = this.#now();
    const cron = stored.object;
    const watch = this.#watch(k, stored.uid, cron, now);
    let decision: CronDecision;
    try {
      decision = decideCron({
        cron,
        now,
        after: watch.handledUntil,
        watchedSince: watch.watchedSince,
        children: this.#children(cron),
      });
      this.#carryOut(cron, decision);
    } catch (e) {
      this.#log(`skiff: CronWorkflow ${k}: ${e instanceof Error ? e.stack : e}`);
      return undefined;
    }
    watch.handledUntil = decision.handledUntil;
    if (decision.wakeAt) {
      const ms = Math.min(MAX_SLEEP_MS, Math.max(0, decision.wakeAt.getTime() - this.#now().getTime()));
      watch.timer = setTimeout(() => this.sync(namespace, name), ms);
    }
    return decision;
  }

  /** The watch of a CronWorkflow, (re)started now for a new one or a changed spec ({@link cronWatch}). */
  #watch(k: string, uid: string, cron: CronWorkflow, now: Date): Watch {
    const prev = this.#watches.get(k);
    const w: Watch = cronWatch(prev, uid, cron, now);
    if (w !== prev) this.#watches.set(k, w);
    return w;
  }

  #children(cron: CronWorkflow): CronChild[] {
    const ns = cron.metadata.namespace ?? "default";
    return this.host.store.listWorkflowsWithLabel<Workflow>(ns, CRON_LABEL, cron.metadata.name ?? "")
      .filter((s) => isChildOf(cron, s.object))
      .map((s) => childOf(s.object));
  }

  #carryOut(cron: CronWorkflow, d: CronDecision): void {
    const ns = cron.metadata.namespace ?? "default";
    const name = cron.metadata.name ?? "";
    for (const wf of d.deleteWorkflows) this.host.delete(ns, wf);
    let status = d.status;
    let ran = false;
    if (d.run) {
      for (const wf of d.run.terminate) this.#terminate(ns, wf);
      try {
        const wf = hydrate(this.#objects, ns, d.run.workflow);
        const existing = this.host.get(ns, wf.metadata.name ?? "");
        const submitted = existing ?? this.host.submit(wf);
        status = recordRun(cron, status, d.run, {
          submitted: { name: submitted.name, uid: submitted.uid, namespace: ns },
        });
        ran = true;
      } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        this.#log(`skiff: CronWorkflow ${ns}/${name}: could not submit its workflow: ${text}`);
        status = recordRun(cron, status, d.run, { error: text });
      }
    }
    // Write what changed onto what is stored now (the API may have changed the spec meanwhile).
    const latest = this.#objects.get<CronWorkflow>("CronWorkflow", ns, name);
    if (!latest || latest.uid !== cron.metadata.uid) return;
    const next = structuredClone(latest.object);
    if (next.status !== undefined || Object.keys(status).length > 0) next.status = status;
    if (Object.keys(d.addLabels).length > 0) {
      next.metadata.labels = { ...next.metadata.labels, ...d.addLabels };
    }
    if (ran) {
      next.metadata.annotations = {
        ...next.metadata.annotations,
        [LAST_USED_SCHEDULE_ANNOTATION]: schedulesOf(cron.spec).join(","),
      };
    }
    const { resourceVersion: _, ...meta } = next.metadata;
    const { resourceVersion: __, ...metaBefore } = latest.object.metadata;
    if (
      JSON.stringify({ ...next, metadata: meta }) !==
        JSON.stringify({ ...latest.object, metadata: metaBefore })
    ) {
      this.#objects.update("CronWorkflow", ns, name, next);
    }
  }

  /** Concurrency policy Replace: stop a running workflow of the CronWorkflow (no exit handlers). */
  #terminate(namespace: string, name: string): void {
    const wf = this.host.get(namespace, name);
    if (!wf || workflowDone(wf.object) || wf.object.spec.shutdown) return;
    try {
      this.host.update(namespace, name, (w) => ({ ...w, spec: { ...w.spec, shutdown: "Terminate" } }));
    } catch (e) {
      this.#log(
        `skiff: could not terminate workflow ${namespace}/${name}: ${e instanceof Error ? e.message : e}`,
      );
    }
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
