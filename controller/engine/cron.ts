/**
 * CronWorkflows, decided purely: {@link decideCron} takes a CronWorkflow, the time, how far its
 * scheduled times were already dealt with, and its workflows, and says what to do: the status to
 * store, the workflow to submit (and the running ones to terminate first, for Replace), the finished
 * ones to delete (history limits), when to look again. No clock, no I/O: the hosts' schedulers
 * (controller/local/cron_scheduler.ts, controller/kube/cron.ts) carry decisions out; tests drive the clock.
 *
 * Argo's semantics (workflow/cron): each of `schedules` (or the deprecated `schedule`) fires in
 * `timezone`; a firing is skipped when the CronWorkflow is suspended or Stopped, when `when` is false,
 * or under `concurrencyPolicy: Forbid` while a workflow of it runs; `Replace` terminates the running
 * ones first. The workflow is named `<cron>-<unix time>` (so a repeated submission of the same time
 * is a no-op), labelled `workflows.argoproj.io/cron-workflow`, annotated with
 * `workflows.argoproj.io/scheduled-time` (the engine's `{{workflow.scheduledTime}}`) and owned by the
 * CronWorkflow. Times missed while nothing watched (a stopped server) run once, the latest of them,
 * and only within `startingDeadlineSeconds` of it. Finished workflows are counted into
 * `status.succeeded`/`failed` (which `stopStrategy.expression` reads: true stops scheduling for
 * good) and deleted beyond `successfulJobsHistoryLimit` (3) / `failedJobsHistoryLimit` (1).
 *
 * `when` and `stopStrategy.expression` are evaluated by the expression core (cron_expr.ts); a `when`
 * it cannot evaluate (e.g. `now()`: it has no clock) becomes a SubmissionError condition, as in Argo.
 */
import { defaultExpr, type Expr } from "./expr.ts";
import type {
  Condition,
  CronWorkflow,
  CronWorkflowStatus,
  ObjectReference,
  Workflow,
} from "../spec/types.ts";
import { evalCronWhen, stopConditionMet } from "./cron_expr.ts";
import { parseSchedule, type Schedule, schedulesOf } from "./cron_schedule.ts";

/** The label naming the CronWorkflow a workflow came from. */
export const CRON_LABEL = "workflows.argoproj.io/cron-workflow";
/** The annotation holding the time a workflow was scheduled for (RFC 3339). */
export const SCHEDULED_TIME_ANNOTATION = "workflows.argoproj.io/scheduled-time";
/** The label Argo puts on a CronWorkflow its stopStrategy stopped. */
export const CRON_COMPLETED_LABEL = "workflows.argoproj.io/cron-workflow-completed";
/** The annotation recording the schedules of the last run (a changed schedule catches nothing up). */
export const LAST_USED_SCHEDULE_ANNOTATION = "cronworkflows.argoproj.io/last-used-schedule";
/** Labels of a CronWorkflow its workflows inherit (Argo's labelsToPropagate). */
const PROPAGATED_LABELS = [
  "workflows.argoproj.io/creator",
  "workflows.argoproj.io/creator-email",
  "workflows.argoproj.io/creator-preferred-username",
];

/** A workflow of a CronWorkflow, as far as decisions look at it. */
export interface CronChild {
  name: string;
  uid: string;
  /** Its phase ("" or Pending before it runs). */
  phase: string;
  /** When it finished (RFC 3339). */
  finishedAt?: string;
  /** Its `workflows.argoproj.io/scheduled-time` annotation. */
  scheduledTime?: string;
}

/** What {@link decideCron} decides from. */
export interface CronInput {
  cron: CronWorkflow;
  now: Date;
  /** Scheduled times up to this one were dealt with already (run, or skipped). */
  after: Date;
  /**
   * Since when the scheduler has watched this CronWorkflow: scheduled times before it were missed
   * (e.g. the server was stopped) and run only within startingDeadlineSeconds.
   */
  watchedSince: Date;
  /** Its workflows (label `workflows.argoproj.io/cron-workflow` and, when they have one, its owner uid). */
  children: CronChild[];
  /** The expression core for `when` and `stopStrategy` (default: the process-wide one). */
  expr?: Expr;
}

/** A workflow to submit now. */
export interface CronRun {
  scheduledTime: Date;
  workflow: Workflow;
  /** Running workflows of the CronWorkflow to terminate first (concurrencyPolicy Replace). */
  terminate: string[];
}

/** What to do. */
export interface CronDecision {
  /** The CronWorkflow's status now (store it when it changed); {@link recordRun} adds a run's outcome. */
  status: CronWorkflowStatus;
  /** Labels the CronWorkflow should have added (the completed label once stopped). */
  addLabels: Record<string, string>;
  /** Finished workflows beyond the history limits: delete them. */
  deleteWorkflows: string[];
  run?: CronRun;
  /** A scheduled time that came and is not run, and why. */
  skipped?: { scheduledTime: Date; reason: string };
  /** Scheduled times up to here are dealt with (the next decision's `after`). */
  handledUntil: Date;
  /** The next scheduled time: decide again then. Undefined when none (or the spec is invalid). */
  wakeAt?: Date | undefined;
}

const SUCCEEDED = new Set(["Succeeded"]);
const FAILED = new Set(["Failed", "Error"]);
const isFinished = (phase: string) => SUCCEEDED.has(phase) || FAILED.has(phase);

/** What a scheduler remembers of one CronWorkflow between decisions. */
export interface CronWatch {
  uid: string;
  /** The spec (JSON) it was (re)started for. */
  spec: string;
  /** Scheduled times before this one were missed (run only within startingDeadlineSeconds). */
  watchedSince: Date;
  /** Scheduled times up to this one were dealt with (the next decision's `after`). */
  handledUntil: Date;
}

/**
 * The watch of a CronWorkflow: `prev` while it is the same object with the same spec; otherwise
 * (first seen after a start or restart, or its spec changed: Argo looks again at every update, a
 * resumed one say) a new one from now. Scheduled times since `status.lastScheduledTime` then count
 * as missed (run when startingDeadlineSeconds allows), unless the schedules changed since that run
 * (the last-used-schedule annotation).
 */
export function cronWatch(
  prev: CronWatch | undefined,
  uid: string,
  cron: CronWorkflow,
  now: Date,
): CronWatch {
  const spec = JSON.stringify(cron.spec);
  if (prev && prev.uid === uid && prev.spec === spec) return prev;
  const schedules = schedulesOf(cron.spec).join(",");
  const last = cron.status?.lastScheduledTime ? new Date(cron.status.lastScheduledTime) : undefined;
  const same = cron.metadata.annotations?.[LAST_USED_SCHEDULE_ANNOTATION] === schedules;
  return { uid, spec, watchedSince: now, handledUntil: last && same && last < now ? last : now };
}

/** Decides what a CronWorkflow needs now. Pure: the same input gives the same decision. */
export function decideCron(input: CronInput): CronDecision {
  const { cron, now } = input;
  const expr = input.expr ?? defaultExpr();
  const status = reconcileChildren(cron, input.children);
  const addLabels: Record<string, string> = {};
  const deleteWorkflows = historyToDelete(cron, input.children);
  const decision = (rest: Partial<CronDecision>): CronDecision => ({
    status,
    addLabels,
    deleteWorkflows,
    handledUntil: later(input.after, now),
    ...rest,
  });

  let schedules: Schedule[];
  try {
    const texts = schedulesOf(cron.spec);
    if (texts.length === 0) throw new Error("it has no schedule; set spec.schedules");
    schedules = texts.map(parseSchedule);
    setCondition(status, "SpecError", undefined);
  } catch (e) {
    setCondition(status, "SpecError", `invalid CronWorkflow: ${message(e)}`);
    return decision({});
  }

  if (status.phase !== "Stopped" && cron.spec.stopStrategy?.expression) {
    try {
      if (stopConditionMet(cron, status, expr)) {
        status.phase = "Stopped";
        addLabels[CRON_COMPLETED_LABEL] = "true";
      }
    } catch (e) {
      setCondition(
        status,
        "SpecError",
        `failed to check CronWorkflow '${cron.metadata.name}' stopping condition: ${message(e)}`,
      );
      return decision({ wakeAt: nextTime(schedules, now) });
    }
  }

  const wakeAt = status.phase === "Stopped" ? undefined : nextTime(schedules, now);
  // A time a workflow was scheduled for is never run again (a workflow may know it before the status).
  const last = status.lastScheduledTime ? new Date(status.lastScheduledTime) : undefined;
  const due = latestTime(schedules, last ? later(input.after, last) : input.after, now);
  if (!due) return decision({ wakeAt });
  const skip = (reason: string) => decision({ wakeAt, skipped: { scheduledTime: due, reason } });

  if (due.getTime() < input.watchedSince.getTime()) {
    const deadline = cron.spec.startingDeadlineSeconds;
    if (deadline === undefined || now.getTime() >= due.getTime() + deadline * 1000) {
      return skip(
        deadline === undefined
          ? "missed while the scheduler was not running (set startingDeadlineSeconds to run it late)"
          : `missed by more than startingDeadlineSeconds (${deadline})`,
      );
    }
  }
  if (cron.spec.suspend) return skip("suspended");
  if (status.phase === "Stopped") return skip("stopped by its stopStrategy");
  if (cron.spec.when) {
    let go: boolean;
    try {
      go = evalCronWhen(cron, status, expr);
    } catch (e) {
      const text = `run policy error: ${message(e)}`;
      setCondition(status, "SubmissionError", text);
      status.failed = (status.failed ?? 0) + 1;
      return skip(text);
    }
    if (!go) return skip(`when "${cron.spec.when}" is false`);
  }
  const active = (status.active ?? []).map((r) => r.name ?? "").filter(Boolean);
  const policy = cron.spec.concurrencyPolicy || "Allow";
  if (policy === "Forbid" && active.length > 0) {
    return skip(`concurrencyPolicy Forbid: ${active.join(", ")} still running`);
  }
  if (policy !== "Allow" && policy !== "Forbid" && policy !== "Replace") {
    const text = `run policy error: invalid ConcurrencyPolicy: ${policy}`;
    setCondition(status, "SubmissionError", text);
    return skip(text);
  }
  return decision({
    wakeAt,
    run: {
      scheduledTime: due,
      workflow: cronChildWorkflow(cron, due),
      terminate: policy === "Replace" ? active : [],
    },
  });
}

/**
 * The status after a run's submission: the workflow active and the time its last scheduled one, or
 * the submission's error as a condition (counted as failed, as Argo does). A workflow that already
 * existed (the same scheduled time submitted twice) counts as submitted.
 */
export function recordRun(
  cron: CronWorkflow,
  status: CronWorkflowStatus,
  run: CronRun,
  outcome: { submitted: { name: string; uid: string; namespace?: string } } | { error: string },
): CronWorkflowStatus {
  const next = structuredClone(status);
  if ("error" in outcome) {
    setCondition(next, "SubmissionError", `Failed to submit Workflow: ${outcome.error}`);
    next.failed = (next.failed ?? 0) + 1;
    return next;
  }
  const ref: ObjectReference = {
    kind: "Workflow",
    apiVersion: run.workflow.apiVersion ?? "argoproj.io/v1alpha1",
    name: outcome.submitted.name,
    namespace: outcome.submitted.namespace ?? cron.metadata.namespace ?? "default",
    uid: outcome.submitted.uid,
  };
  if (!(next.active ?? []).some((r) => r.uid === ref.uid)) next.active = [...(next.active ?? []), ref];
  next.lastScheduledTime = rfc3339(run.scheduledTime);
  if (next.phase !== "Stopped") next.phase = "Active";
  setCondition(next, "SubmissionError", undefined);
  return next;
}

/** The workflow a CronWorkflow submits for a scheduled time (Argo's ConvertCronWorkflowToWorkflowWithProperties). */
export function cronChildWorkflow(cron: CronWorkflow, scheduledTime: Date): Workflow {
  const name = cron.metadata.name ?? "";
  const meta = cron.spec.workflowMetadata ?? {};
  const labels: Record<string, string> = {};
  for (const k of PROPAGATED_LABELS) {
    const v = cron.metadata.labels?.[k];
    if (v !== undefined) labels[k] = v;
  }
  labels[CRON_LABEL] = name;
  Object.assign(labels, meta.labels);
  const annotations: Record<string, string> = {
    [SCHEDULED_TIME_ANNOTATION]: rfc3339(scheduledTime, cron.spec.timezone),
    ...meta.annotations,
  };
  const wf: Workflow = {
    apiVersion: cron.apiVersion ?? "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: {
      name: `${name}-${Math.floor(scheduledTime.getTime() / 1000)}`,
      labels,
      annotations,
      ownerReferences: [{
        apiVersion: cron.apiVersion ?? "argoproj.io/v1alpha1",
        kind: "CronWorkflow",
        name,
        uid: cron.metadata.uid ?? "",
        controller: true,
        blockOwnerDeletion: true,
      }],
    },
    spec: structuredClone(cron.spec.workflowSpec),
  };
  if (cron.metadata.namespace) wf.metadata.namespace = cron.metadata.namespace;
  return wf;
}

/** Is this workflow one of the CronWorkflow's? (its label, and its owner when it names one) */
export function isChildOf(cron: CronWorkflow, wf: Workflow): boolean {
  if (wf.metadata.labels?.[CRON_LABEL] !== cron.metadata.name) return false;
  const owner = wf.metadata.ownerReferences?.find((o) => o.kind === "CronWorkflow" && o.controller);
  return owner === undefined || !cron.metadata.uid || owner.uid === cron.metadata.uid;
}

/** A stored workflow as a {@link CronChild}. */
export function childOf(wf: Workflow): CronChild {
  const c: CronChild = {
    name: wf.metadata.name ?? "",
    uid: wf.metadata.uid ?? "",
    phase: wf.status?.phase ?? "",
  };
  if (wf.status?.finishedAt) c.finishedAt = wf.status.finishedAt;
  const t = wf.metadata.annotations?.[SCHEDULED_TIME_ANNOTATION];
  if (t) c.scheduledTime = t;
  return c;
}

/**
 * Argo's reconcileActiveWfs: active workflows that finished leave `active` and count as succeeded
 * or failed; running ones missing from it join it; lastScheduledTime is at least the latest
 * scheduled time of a workflow (a server stopped between submitting and recording still knows).
 */
function reconcileChildren(cron: CronWorkflow, children: CronChild[]): CronWorkflowStatus {
  const status: CronWorkflowStatus = structuredClone(cron.status ?? {});
  const byUid = new Map(children.map((c) => [c.uid, c]));
  const active: ObjectReference[] = [];
  for (const ref of status.active ?? []) {
    const child = byUid.get(ref.uid ?? "");
    if (!child) continue;
    if (!isFinished(child.phase)) {
      active.push(ref);
    } else if (SUCCEEDED.has(child.phase)) {
      status.succeeded = (status.succeeded ?? 0) + 1;
    } else {
      status.failed = (status.failed ?? 0) + 1;
    }
  }
  for (const c of children) {
    if (isFinished(c.phase) || active.some((r) => r.uid === c.uid)) continue;
    active.push({
      kind: "Workflow",
      apiVersion: "argoproj.io/v1alpha1",
      name: c.name,
      namespace: cron.metadata.namespace ?? "default",
      uid: c.uid,
    });
  }
  if (active.length > 0) status.active = active;
  else delete status.active;
  let last = status.lastScheduledTime ? Date.parse(status.lastScheduledTime) : Number.NEGATIVE_INFINITY;
  for (const c of children) {
    const t = c.scheduledTime ? Date.parse(c.scheduledTime) : NaN;
    if (t > last) last = t;
  }
  if (Number.isFinite(last)) status.lastScheduledTime = rfc3339(new Date(last));
  return status;
}

/** Finished workflows beyond the history limits, oldest first (Argo's enforceHistoryLimit). */
function historyToDelete(cron: CronWorkflow, children: CronChild[]): string[] {
  const limit = (n: number | undefined, dflt: number) => (n !== undefined && n >= 0 ? n : dflt);
  // finishedAt has whole seconds: on a tie the later scheduled time is the newer run
  const newestFirst = (a: CronChild, b: CronChild) =>
    (b.finishedAt ?? "").localeCompare(a.finishedAt ?? "") ||
    (Date.parse(b.scheduledTime ?? "") || 0) - (Date.parse(a.scheduledTime ?? "") || 0);
  const succeeded = children.filter((c) => SUCCEEDED.has(c.phase)).sort(newestFirst);
  const failed = children.filter((c) => FAILED.has(c.phase)).sort(newestFirst);
  return [
    ...succeeded.slice(limit(cron.spec.successfulJobsHistoryLimit, 3)),
    ...failed.slice(limit(cron.spec.failedJobsHistoryLimit, 1)),
  ].reverse().map((c) => c.name);
}

/** The latest time any schedule fires in (after, upTo]. */
function latestTime(schedules: Schedule[], after: Date, upTo: Date): Date | undefined {
  let best: Date | undefined;
  for (const s of schedules) {
    const t = s.latest(after, upTo);
    if (t && (!best || t > best)) best = t;
  }
  return best;
}

/** The first time after `now` any schedule fires. */
function nextTime(schedules: Schedule[], now: Date): Date | undefined {
  let best: Date | undefined;
  for (const s of schedules) {
    const t = s.next(now);
    if (t && (!best || t < best)) best = t;
  }
  return best;
}

// ---- helpers

function setCondition(status: CronWorkflowStatus, type: string, text: string | undefined): void {
  const rest = (status.conditions ?? []).filter((c) => c.type !== type);
  const next: Condition[] = text === undefined ? rest : [...rest, { type, status: "True", message: text }];
  if (next.length > 0) status.conditions = next;
  else delete status.conditions;
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * RFC 3339 with whole seconds, as Go's time.RFC3339 writes a time: in `timezone` (`+09:00`), or
 * UTC (`Z`) without one.
 */
export function rfc3339(t: Date, timezone?: string): string {
  const ms = Math.floor(t.getTime() / 1000) * 1000;
  if (!timezone) return new Date(ms).toISOString().replace(".000Z", "Z");
  const offsetMin = zoneOffsetMinutes(new Date(ms), timezone);
  const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${
    String(abs % 60).padStart(2, "0")
  }`;
}

/** The UTC offset of `timezone` at `t`, in minutes (0 for a zone the machine does not know). */
function zoneOffsetMinutes(t: Date, timezone: string): number {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: timezone, timeZoneName: "longOffset" })
      .formatToParts(t).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
    if (!m) return 0;
    return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
  } catch {
    return 0;
  }
}
