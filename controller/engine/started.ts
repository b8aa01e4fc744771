/**
 * Started pods: a Pod node whose pod the host reports started, and that nothing but its own
 * observation and the clock can move on. Executing it again (Argo re-processes its template on every
 * pass: substitutes the loop item into the step, resolves inputs, renders the whole template) can
 * only fail it past a deadline, ask a wake-up for that deadline, or say the workflow's parallelism is
 * reached; its pod is not started again. Rendering every running item of a large fan-out on every
 * event made a fan-out whose items finish one at a time quadratic, so such a node is recognised
 * from the status and the unrendered template, and only what can change is worked out.
 *
 * The fields a running pod's execution reads (`timeout`, `activeDeadlineSeconds`, the retry
 * strategy) must have no tag, so that the rendered values are the written ones; a template that
 * reads ConfigMaps (which the host may change between calls) is always rendered.
 */

import type { NodeStatus, Template } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { wakeAt } from "./context.ts";
import { templatePodDeadline } from "./deadlines.ts";
import { ERR_PARALLELISM, type Exec, type ExecOpts } from "./exec-types.ts";
import { peekNode, phaseFulfilled } from "./nodes.ts";
import { workflowParallelismReached } from "./parallelism.ts";
import { retryStrategyOf } from "./retry.ts";
import { resolveTemplate, type TemplateHolder, templateType } from "./templates.ts";
import { parseArgoDuration, parseGoDuration, parseTime } from "./time.ts";
import type { NodeView } from "./tree.ts";

/** A node whose execution would change nothing but ask a wake-up (see the module doc). */
export interface StartedPod {
  /** The node executed: the Pod node, or the Retry node whose running attempt it is. */
  node: NodeView;
  /** The pod's deadline (ms), if it has one: a wake-up is asked for it. */
  deadline: number | undefined;
}

/** A holder whose text does not depend on a loop item where a started pod reads it. */
export function plainHolder(holder: TemplateHolder): boolean {
  if (holder.inline !== undefined) return false;
  if (holder.templateRef !== undefined && JSON.stringify(holder.templateRef).includes("{{")) return false;
  return !(holder.arguments?.parameters ?? []).some((p) => p.valueFrom?.configMapKeyRef !== undefined);
}

/**
 * The template `holder` calls, if it is a container or script template whose running pods need not
 * be rendered (resolved once per pass per template name), else undefined.
 */
export function plainPodTemplate(op: Op, holder: TemplateHolder): Template | undefined {
  if (!plainHolder(holder)) return undefined;
  const key = holder.template !== undefined
    ? `t:${holder.template}`
    : `r:${JSON.stringify(holder.templateRef ?? null)}`;
  const cache = op.cache as Map<string, Template | null>;
  const known = cache.get(key);
  if (known !== undefined) return known ?? undefined;
  let tmpl: Template | undefined;
  try {
    tmpl = resolveTemplate(op, holder);
  } catch {
    tmpl = undefined;
  }
  if (tmpl !== undefined) {
    const type = templateType(tmpl);
    const strategy = retryStrategyOf(op, tmpl);
    const read = JSON.stringify([tmpl.timeout ?? null, tmpl.activeDeadlineSeconds ?? null, strategy ?? null]);
    const readsConfigMaps = (tmpl.inputs?.parameters ?? []).some((p) => p.valueFrom?.configMapKeyRef);
    if ((type !== "container" && type !== "script") || read.includes("{{") || readsConfigMaps) {
      tmpl = undefined;
    }
  }
  cache.set(key, tmpl ?? null);
  return tmpl;
}

/**
 * The node `node` (read from the tree by its name), running `tmpl` (from {@link plainPodTemplate}), if it is a started pod whose execution would change nothing
 * (see the module doc): it is Pending or Running and no daemon, the pod (its last attempt, under a
 * Retry node) has been observed, and neither its template timeout nor its deadline has passed.
 * Reads only; the same node, template and clock give the same answer.
 */
export function startedPod(
  op: Op,
  node: NodeView,
  tmpl: Template,
  opts: ExecOpts,
): StartedPod | undefined {
  if ((node.phase !== "Pending" && node.phase !== "Running") || node.daemoned) {
    return undefined;
  }
  if (node.type !== "Pod" && node.type !== "Retry") return undefined;
  const strategy = retryStrategyOf(op, tmpl);
  if ((node.type === "Retry") !== (strategy !== undefined)) return undefined;
  try {
    // executeTemplate's template timeout (checkTemplateTimeout), on the node at the name.
    if (tmpl.timeout) {
      const timeout = parseTime(node.startedAt ?? op.nowText) + parseGoDuration(tmpl.timeout);
      if (node.phase === "Pending" && op.now > timeout) return undefined;
    }
    let pod: NodeView = node;
    let executionDeadline = opts.executionDeadline;
    if (strategy) {
      // processNodeRetries with a running attempt: it goes on with that attempt.
      const ids = (node.children ?? []).filter((id) => op.tree.peek(id)?.nodeFlag?.retried === true);
      const last = ids.length > 0 ? op.tree.peek(ids[ids.length - 1]!) : undefined;
      if (!last || last.daemoned || phaseFulfilled(last.phase)) return undefined;
      if (peekNode(op, last.name) !== last) return undefined;
      if (strategy.backoff?.maxDuration) {
        const first = op.tree.peek(ids[0] ?? "");
        executionDeadline = parseTime(first?.startedAt ?? op.nowText) +
          parseArgoDuration(strategy.backoff.maxDuration);
      }
      pod = last;
    }
    if (pod.type !== "Pod" || pod.phase === undefined || phaseFulfilled(pod.phase)) return undefined;
    if (!op.observed[pod.id]) return undefined;
    const deadline = templatePodDeadline(pod, tmpl, executionDeadline);
    if (deadline !== undefined && op.now >= deadline) return undefined;
    return { node, deadline };
  } catch {
    return undefined; // an invalid duration: executing the node says so
  }
}

/** Executes a started pod found by {@link startedPod}, in the same pass: what executeTemplate does. */
export function continueStartedPod(op: Op, started: StartedPod): Exec {
  // Read-only, as the node of every finished node executeTemplate hands back.
  const node = started.node as NodeStatus;
  if (workflowParallelismReached(op)) return { node, err: ERR_PARALLELISM };
  if (started.deadline !== undefined) wakeAt(op, started.deadline);
  return { node };
}
