/**
 * retryStrategy (Argo's `processNodeRetries`): whether a Retry node's last attempt is retried,
 * after which backoff, under which policy and limit, and the `{{retries}}`/`{{lastRetry.*}}`
 * variables of the next attempt.
 */

import type { NodeStatus, RetryStrategy, Template } from "../spec/types.ts";
import type { Op } from "./context.ts";
import { shutdownOf, touch, wakeAt } from "./context.ts";
import type { ExecOpts } from "./exec-types.ts";
import { withScope } from "./expr.ts";
import { isTransientMessage } from "./transient.ts";
import { failedOrError, markNodePhase, phaseFulfilled, retryAttempts } from "./nodes.ts";
import { outputsCopy } from "./status.ts";
import { formatTime, humanizeDuration, parseArgoDuration, parseTime, secondsG } from "./time.ts";
import { workflowDeadlinePassed } from "./deadlines.ts";

/** The template's retryStrategy, else the workflow's (`spec.retryStrategy`). */
export function retryStrategyOf(op: Op, tmpl: Template): RetryStrategy | undefined {
  return tmpl.retryStrategy ?? op.spec.retryStrategy;
}

/** Argo's `RetryPolicyActual`: explicit policy, else Always with an expression, else OnFailure. */
export function retryPolicyOf(strategy: RetryStrategy): string {
  if (strategy.retryPolicy) return strategy.retryPolicy;
  return strategy.expression ? "Always" : "OnFailure";
}

function intOf(value: number | string | undefined, field: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "number" ? value : Number.parseInt(String(value), 10);
  if (Number.isNaN(n)) throw new Error(`${field}: invalid integer '${value}'`);
  return n;
}

function durationOf(node: NodeStatus): number {
  if (!node.finishedAt || !node.startedAt) return 0;
  return parseTime(node.finishedAt) - parseTime(node.startedAt);
}

/** `retries` and `lastRetry.*` as Argo's `buildRetryStrategyLocalScope` (for the retry expression). */
export function retryExpressionScope(op: Op, node: NodeStatus): Record<string, string> {
  const { ids, last } = retryAttempts(op, node);
  if (!last || ids.length === 0) return {};
  return {
    retries: String(ids.length - 1),
    "lastRetry.exitCode": last.outputs?.exitCode ?? "-1",
    "lastRetry.status": last.phase ?? "",
    "lastRetry.duration": last.finishedAt && last.startedAt
      ? secondsG(parseTime(last.startedAt), parseTime(last.finishedAt))
      : "0",
    "lastRetry.message": last.message ?? "",
  };
}

/** Locals of the next attempt: `retries`, `lastRetry.*` (with Argo's defaults before any attempt). */
export function retryLocals(last: NodeStatus | undefined, retryNum: number): Record<string, string> {
  return {
    retries: String(retryNum),
    "lastRetry.exitCode": last?.outputs?.exitCode ?? "0",
    "lastRetry.duration": last ? String(durationOf(last) / 1000) : "0",
    "lastRetry.status": last?.phase ?? "",
    "lastRetry.message": last?.message ?? "",
  };
}

/** Result of processing retries: the Retry node, and whether to go on with an attempt. */
export interface RetryDecision {
  node: NodeStatus;
  proceed: boolean;
}

/**
 * Argo's `processNodeRetries`: settles the Retry node from its last attempt (success, no retries
 * left, policy or expression says stop, past maxDuration or the workflow deadline), or decides a
 * new attempt may start (after its backoff: until then `proceed` is false and a wake is asked).
 */
export function processNodeRetries(
  op: Op,
  node: NodeStatus,
  strategy: RetryStrategy,
  opts: ExecOpts,
): RetryDecision {
  if (phaseFulfilled(node.phase)) return { node, proceed: true };
  const { ids, last } = retryAttempts(op, node);
  if (ids.length === 0 || !last) return { node, proceed: true };
  // Attempts inherit the backoff.maxDuration deadline (Argo sets it as the pods' activeDeadlineSeconds).
  let maxDurationDeadline: number | undefined;
  if (strategy.backoff?.maxDuration) {
    const first = op.tree.peek(ids[0] ?? "");
    maxDurationDeadline = parseTime(first?.startedAt ?? op.nowText) +
      parseArgoDuration(strategy.backoff.maxDuration);
    opts.executionDeadline = maxDurationDeadline;
  }
  if (last.daemoned) {
    node.daemoned = true;
    touch(op);
  }
  if (!phaseFulfilled(last.phase)) {
    if (!last.daemoned) return { node, proceed: true };
    const n = markNodePhase(op, node.name, last.phase ?? "Running");
    n.daemoned = true;
    touch(op);
    return { node: n, proceed: true };
  }
  if (!failedOrError(last.phase)) {
    const copy = outputsCopy(last.outputs);
    if (copy) node.outputs = copy;
    return { node: markNodePhase(op, node.name, "Succeeded"), proceed: true };
  }
  const shutdown = shutdownOf(op);
  if (shutdown !== "" || workflowDeadlinePassed(op)) {
    const message = shutdown !== ""
      ? `Stopped with strategy '${shutdown}'`
      : `retry exceeded workflow deadline ${formatTime(op.deadline ?? op.now)}`;
    return { node: markNodePhase(op, node.name, last.phase ?? "Failed", message), proceed: true };
  }
  const limit = intOf(strategy.limit, "retryStrategy.limit");
  if (strategy.backoff) {
    const backoff = strategy.backoff;
    if (maxDurationDeadline !== undefined) {
      if (op.now > maxDurationDeadline) {
        return {
          node: markNodePhase(op, node.name, last.phase ?? "Failed", "Max duration limit exceeded"),
          proceed: true,
        };
      }
    }
    if (!backoff.duration) throw new Error("no base duration specified for retryStrategy");
    const base = parseArgoDuration(backoff.duration);
    let wait = base;
    const factor = intOf(backoff.factor, "retryStrategy.backoff.factor");
    if (factor !== undefined && factor > 0) wait = base * Math.pow(factor, ids.length - 1);
    if (backoff.cap) wait = Math.min(wait, parseArgoDuration(backoff.cap));
    const waitUntil = parseTime(last.finishedAt ?? op.nowText) + wait;
    if (maxDurationDeadline !== undefined && waitUntil > maxDurationDeadline) {
      return {
        node: markNodePhase(op, node.name, last.phase ?? "Failed", "Backoff would exceed max duration limit"),
        proceed: true,
      };
    }
    if (op.now < waitUntil && limit !== undefined && ids.length <= limit) {
      wakeAt(op, waitUntil);
      return {
        node: markNodePhase(op, node.name, node.phase ?? "Running", `Backoff for ${humanizeDuration(wait)}`),
        proceed: false,
      };
    }
    markNodePhase(op, node.name, node.phase ?? "Running", "");
  }
  const policy = retryPolicyOf(strategy);
  let onFailed: boolean;
  let onError: boolean;
  switch (policy) {
    case "Always":
      onFailed = onError = true;
      break;
    case "OnError":
      onFailed = false;
      onError = true;
      break;
    case "OnTransientError":
      onFailed = onError = (last.phase === "Failed" || last.phase === "Error") &&
        isTransientMessage(last.message ?? "", op.transientErrorPattern);
      break;
    case "OnFailure":
      onFailed = true;
      onError = false;
      break;
    default:
      throw new Error(`${policy} is not a valid RetryPolicy`);
  }
  if ((last.phase === "Failed" && !onFailed) || (last.phase === "Error" && !onError)) {
    return { node: markNodePhase(op, node.name, last.phase, last.message ?? ""), proceed: true };
  }
  if (limit !== undefined && ids.length > limit) {
    return {
      node: markNodePhase(op, node.name, last.phase ?? "Failed", "No more retries left"),
      proceed: true,
    };
  }
  if (strategy.expression) {
    const vars = { ...op.globals, ...retryExpressionScope(op, node) };
    const [r] = withScope(op.expr, vars, (s) => s.evalExprs([strategy.expression ?? ""]));
    if (!r || "error" in r) throw new Error(r ? r.error : "retryStrategy.expression could not be evaluated");
    if (r.value !== true) {
      return {
        node: markNodePhase(
          op,
          node.name,
          last.phase ?? "Failed",
          "retryStrategy.expression evaluated to false",
        ),
        proceed: true,
      };
    }
  }
  return { node, proceed: true };
}
