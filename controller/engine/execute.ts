/**
 * Executing a template at a node name (Argo's `executeTemplate`): resolve the template, resolve its
 * inputs and substitute it, honour parallelism and recursion depth, wrap it in a Retry node when
 * it has a retryStrategy, and dispatch to pods, steps, dag or suspend.
 */

import { unsupportedTemplateMessage } from "../spec/unsupported.ts";
import type { NodeStatus, Template } from "../spec/types.ts";
import type { Arguments } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { MAX_STACK_DEPTH, shouldExecute, touch, wakeAt } from "./context.ts";
import {
  POD_DEADLINE_MESSAGE,
  runDeadline,
  STEP_DEADLINE_MESSAGE,
  templatePodDeadline,
  workflowDeadlinePassed,
} from "./deadlines.ts";
import { executeDag } from "./dag.ts";
import { ERR_MAX_DEPTH, ERR_TIMEOUT, type Exec, type ExecOpts, toExecError } from "./exec-types.ts";
import { substituteIn } from "./expr.ts";
import { podName, retryAttemptName } from "./names.ts";
import {
  addChildNode,
  childrenFulfilled,
  failedOrError,
  fulfilled,
  getNode,
  initializeNode,
  markNodeError,
  markNodePhase,
  peekNode,
  phaseFulfilled,
  retryAttempts,
} from "./nodes.ts";
import { checkParallelism } from "./parallelism.ts";
import { processTemplate, templateLocalVars } from "./params.ts";
import { processNodeRetries, retryLocals, retryPolicyOf, retryStrategyOf } from "./retry.ts";
import { buildRunSpec } from "./run-spec.ts";
import { outputsCopy } from "./status.ts";
import { continueStartedPod, plainPodTemplate, startedPod } from "./started.ts";
import { executeSteps } from "./steps.ts";
import { executeSuspend } from "./suspend.ts";
import {
  holderTemplateName,
  isPodType,
  resolveTemplate,
  type TemplateHolder,
  templateType,
} from "./templates.ts";
import { parseGoDuration, parseTime } from "./time.ts";

/** Argo's `initializeNodeOrMarkError`: errors an existing node, or creates a Skipped node in Error. */
function initializeNodeOrMarkError(
  op: Op,
  node: NodeStatus | undefined,
  nodeName: string,
  holder: TemplateHolder,
  opts: ExecOpts,
  message: string,
): NodeStatus {
  if (node) return markNodeError(op, nodeName, message);
  return initializeNode(op, nodeName, "Skipped", "Error", {
    templateName: holderTemplateName(holder),
    boundaryID: opts.boundaryID,
    flag: opts.nodeFlag,
    message,
  });
}

/** How a holder calls the template: a DAG task (has `dependencies`/`depends`) or a step. */
export type HolderKind = "step" | "task" | "other";

/**
 * Argo's `executeTemplate`: runs (or continues) `holder`'s template as node `nodeName` with
 * `args`. Returns the node and, like Argo, an error that the caller handles (parallelism reached,
 * recursion too deep, timeout, or any other error, in which case the node is already in Error).
 */
export function executeTemplate(
  op: Op,
  nodeName: string,
  holder: TemplateHolder,
  args: Arguments | undefined,
  opts: ExecOpts,
  kind: HolderKind = "other",
): Exec {
  op.depth++;
  try {
    return execute(op, nodeName, holder, args, opts, kind);
  } finally {
    op.depth--;
  }
}

function execute(
  op: Op,
  nodeName: string,
  holder: TemplateHolder,
  args: Arguments | undefined,
  opts: ExecOpts,
  kind: HolderKind,
): Exec {
  // A finished node is handed back as it is, not copied (see tree.ts): callers of a finished node's
  // Exec only read it, and in a large fan-out most nodes are finished.
  const seen = peekNode(op, nodeName);
  if (seen && op.depth < MAX_STACK_DEPTH && phaseFulfilled(seen.phase)) return { node: seen as NodeStatus };
  // A pod already started is not rendered again when only its observation or the clock can move it.
  if (seen && op.depth < MAX_STACK_DEPTH && (seen.type === "Pod" || seen.type === "Retry")) {
    const tmpl = plainPodTemplate(op, holder);
    const started = tmpl ? startedPod(op, seen, tmpl, opts) : undefined;
    if (started) return continueStartedPod(op, started);
  }
  let node = getNode(op, nodeName);
  if (op.depth >= MAX_STACK_DEPTH) {
    return {
      node: initializeNodeOrMarkError(op, node, nodeName, holder, opts, ERR_MAX_DEPTH.message),
      err: ERR_MAX_DEPTH,
    };
  }
  // A finished node stays as it is: nothing to resolve again (Argo re-processes the template and
  // returns the node unchanged).
  if (node && phaseFulfilled(node.phase)) return { node };
  let resolved: Template;
  let processed: Template;
  const templateName = holderTemplateName(holder);
  const tmplNameForPod = holder.inline ? "" : (resolvedName(holder) ?? "");
  try {
    resolved = resolveTemplate(op, holder);
    const locals: Record<string, string> = {};
    if (isPodType(resolved) && !retryStrategyOf(op, resolved)) {
      locals["pod.name"] = podName(op.name, nodeName, tmplNameForPod);
    }
    if (kind === "task" && holder.name) locals["tasks.name"] = holder.name;
    if (kind === "step" && holder.name) locals["steps.name"] = holder.name;
    locals["node.name"] = nodeName;
    processed = processTemplate(op, resolved, args, locals);
  } catch (e) {
    const err = toExecError(e);
    return { node: initializeNodeOrMarkError(op, node, nodeName, holder, opts, err.message), err };
  }

  if (node && phaseFulfilled(node.phase)) return { node };

  // A node still pending past its template timeout fails (Argo's checkTemplateTimeout).
  if (node && processed.timeout) {
    try {
      const deadline = parseTime(node.startedAt ?? op.nowText) + parseGoDuration(processed.timeout);
      if (node.phase === "Pending" && op.now > deadline) {
        return { node: markNodePhase(op, nodeName, "Failed", ERR_TIMEOUT.message), err: ERR_TIMEOUT };
      }
    } catch (e) {
      const err = toExecError(new Error(`invalid timeout format. ${(e as Error).message}`));
      return { node: markNodeError(op, nodeName, err.message), err };
    }
  }

  const perr = checkParallelism(op, processed, node, opts.boundaryID);
  if (perr) return { node, err: perr };

  let retryNodeName = "";
  const strategy = retryStrategyOf(op, processed);
  if (strategy) {
    retryNodeName = nodeName;
    let retryParent = node ?? initializeNode(op, retryNodeName, "Retry", "Running", {
      templateName,
      boundaryID: opts.boundaryID,
      flag: opts.nodeFlag,
      inputs: processed.inputs,
    });
    opts.nodeFlag = { ...opts.nodeFlag, retried: true };
    let decision;
    try {
      decision = processNodeRetries(op, retryParent, strategy, opts);
    } catch (e) {
      const err = toExecError(e);
      return { node: markNodeError(op, retryNodeName, err.message), err };
    }
    if (!decision.proceed) return { node: retryParent };
    retryParent = decision.node;
    const { ids, last } = retryAttempts(op, retryParent);
    if (
      phaseFulfilled(retryParent.phase) &&
      (childrenFulfilled(op, retryParent) ||
        (retryParent.daemoned === true && failedOrError(retryParent.phase)))
    ) {
      if (last) {
        const copy = outputsCopy(last.outputs);
        if (copy) retryParent.outputs = copy;
      }
      return { node: retryParent };
    }
    let retryNum: number;
    if (last && !phaseFulfilled(last.phase)) {
      nodeName = last.name;
      node = last;
      retryNum = ids.length - 1;
    } else {
      retryNum = ids.length;
      nodeName = retryAttemptName(retryNodeName, retryNum);
      addChildNode(op, retryNodeName, nodeName);
      node = undefined;
    }
    const locals: Record<string, string> = { ...retryLocals(last, retryNum), "node.name": nodeName };
    if (isPodType(processed)) locals["pod.name"] = podName(op.name, nodeName, tmplNameForPod);
    try {
      processed = substituteIn(op.expr, [op.globals, templateLocalVars(processed), locals], processed);
    } catch (e) {
      const err = toExecError(e);
      return { node: initializeNodeOrMarkError(op, node, nodeName, holder, opts, err.message), err };
    }
  }

  let result: Exec;
  switch (templateType(processed)) {
    case "container":
    case "script":
      result = executePod(op, nodeName, templateName, tmplNameForPod, processed, opts);
      break;
    case "steps":
      result = executeSteps(op, nodeName, templateName, processed, opts);
      break;
    case "dag":
      result = executeDag(op, nodeName, templateName, processed, opts);
      break;
    case "suspend":
      result = executeSuspend(op, nodeName, templateName, processed, opts);
      break;
    case "unknown": {
      const message = `Template '${processed.name ?? templateName}' missing specification`;
      return {
        node: initializeNode(op, nodeName, "Skipped", "Error", {
          templateName,
          boundaryID: opts.boundaryID,
          flag: opts.nodeFlag,
          message,
        }),
        err: { kind: "error", message },
      };
    }
    default: {
      const message = unsupportedTemplateMessage(templateType(processed));
      const existing = getNode(op, nodeName);
      return {
        node: existing
          ? markNodeError(op, nodeName, message)
          : initializeNode(op, nodeName, "Skipped", "Error", {
            templateName,
            boundaryID: opts.boundaryID,
            flag: opts.nodeFlag,
            message,
          }),
        err: { kind: "error", message },
      };
    }
  }

  if (result.err) {
    if (getNode(op, nodeName)) markNodeError(op, nodeName, result.err.message);
    const policy = strategy ? retryPolicyOf(strategy) : undefined;
    if (!strategy || (policy !== "Always" && policy !== "OnError" && policy !== "OnTransientError")) {
      return { node: getNode(op, nodeName), err: result.err };
    }
  }
  node = getNode(op, nodeName);
  if (!node) return { node: undefined };

  if (retryNodeName !== "") {
    let retryNode = getNode(op, retryNodeName);
    if (retryNode && !phaseFulfilled(retryNode.phase) && phaseFulfilled(node.phase)) {
      const again = executeTemplate(op, retryNodeName, holder, args, opts, kind);
      if (again.err) return { node: markNodeError(op, node.name, again.err.message), err: again.err };
      retryNode = again.node ?? retryNode;
    }
    if (retryNode && !phaseFulfilled(node.phase) && node.daemoned) {
      retryNode = markNodePhase(op, retryNodeName, node.phase ?? "Running");
      retryNode.daemoned = true;
      touch(op);
    }
    if (retryNode) node = retryNode;
  }
  return { node };
}

function resolvedName(holder: TemplateHolder): string | undefined {
  return holder.template ?? holder.templateRef?.template;
}

/**
 * A container or script template (Argo's `executeContainer`/`executeScript` + `createWorkflowPod`):
 * creates the Pod node and asks the host to start its pod (again on every pass until the host
 * reports it: starting is idempotent), fails it past its deadline, or under a shutdown.
 */
function executePod(
  op: Op,
  nodeName: string,
  templateName: string,
  podTemplateName: string,
  tmpl: Template,
  opts: ExecOpts,
): Exec {
  let node = getNode(op, nodeName);
  const isNew = !node;
  if (!node) {
    node = initializeNode(op, nodeName, "Pod", "Pending", {
      templateName,
      boundaryID: opts.boundaryID,
      flag: opts.nodeFlag,
      inputs: tmpl.inputs,
    });
  }
  if (fulfilled(node)) return { node };
  const observed = op.observed[node.id];
  const onExit = opts.onExitTemplate === true;
  if (!observed) {
    // The pod does not exist yet (as far as the host told us).
    if (!shouldExecute(op, onExit)) {
      markNodePhase(op, nodeName, "Failed", `workflow shutdown with strategy: ${op.spec.shutdown ?? ""}`);
      return { node };
    }
    if (!onExit && workflowDeadlinePassed(op)) {
      markNodePhase(op, nodeName, "Failed", STEP_DEADLINE_MESSAGE);
      return { node };
    }
  }
  let own: number | undefined;
  try {
    own = templatePodDeadline(node, tmpl, opts.executionDeadline);
  } catch (e) {
    return { node, err: toExecError(e) };
  }
  if (own !== undefined && op.now >= own) {
    markNodePhase(op, nodeName, "Failed", POD_DEADLINE_MESSAGE);
    return { node };
  }
  const deadline = runDeadline(op, own, onExit);
  if (own !== undefined) wakeAt(op, own);
  if (!observed) {
    op.starts.set(node.id, buildRunSpec(op, node, podTemplateName, tmpl, deadline));
    if (isNew) op.activePods++;
  }
  return { node };
}
