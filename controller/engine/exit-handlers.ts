/**
 * Exit handlers and lifecycle hooks: `spec.onExit` / `spec.hooks.exit` (the `<wf>.onExit` node),
 * step/task `onExit` / `hooks.exit` (`<node>.onExit`, child of the node), and named hooks run when
 * their `expression` becomes true (`<node>.hooks.<name>`).
 */

import type { Arguments, LifecycleHook, NodeStatus, Outputs } from "../spec/types.ts";
import { artifactScopeValue, resolveArgumentArtifacts } from "./artifacts.ts";
import type { Op } from "./context.ts";
import { shouldExecute } from "./context.ts";
import type { ExecError } from "./exec-types.ts";
import { executeTemplate } from "./execute.ts";
import { substituteIn, withScope } from "./expr.ts";
import { hookNodeName, onExitNodeName } from "./names.ts";
import { addChildNode, fulfilled, lastRetryChild, peekNode } from "./nodes.ts";
import type { NodeView } from "./tree.ts";
import type { LocalScope } from "./outputs.ts";

function argsEmpty(args: Arguments | undefined): boolean {
  return (args?.parameters?.length ?? 0) === 0 && (args?.artifacts?.length ?? 0) === 0;
}

/** Argo's `GetExitHook`: `onExit: tmpl` or `hooks.exit`, with the workflow's arguments when it has none. */
export function stepExitHook(
  op: Op,
  holder: { onExit?: string | undefined; hooks?: Record<string, LifecycleHook> | undefined },
): LifecycleHook | undefined {
  if (holder.onExit) {
    const hook: LifecycleHook = { template: holder.onExit };
    if (op.spec.arguments) hook.arguments = structuredClone(op.spec.arguments);
    return hook;
  }
  const exit = holder.hooks?.["exit"];
  if (!exit) return undefined;
  const hook = structuredClone(exit);
  if (argsEmpty(hook.arguments) && op.spec.arguments) hook.arguments = structuredClone(op.spec.arguments);
  return hook;
}

/** Outcome of running an exit handler. */
export interface ExitRun {
  /** There is an exit handler to run. */
  has: boolean;
  node?: NodeStatus | undefined;
  err?: ExecError | undefined;
}

/**
 * Argo's `resolveExitTmplArgument`: the node's outputs (`<prefix>.outputs.parameters.*`,
 * `<prefix>.outputs.artifacts.*`) are visible to the hook's arguments.
 */
function resolveHookArguments(
  op: Op,
  args: Arguments | undefined,
  prefix: string,
  outputs: Outputs | undefined,
  scope: LocalScope,
): Arguments | undefined {
  if (argsEmpty(args)) return args;
  const vars: Record<string, string> = { ...op.globals, ...scope };
  for (const p of outputs?.parameters ?? []) vars[`${prefix}.outputs.parameters.${p.name}`] = p.value ?? "";
  for (const a of outputs?.artifacts ?? []) {
    vars[`${prefix}.outputs.artifacts.${a.name}`] = artifactScopeValue(a);
  }
  const substituted = substituteIn(op.expr, vars, args);
  const [resolved] = resolveArgumentArtifacts(op, [{ arguments: substituted }], () => vars);
  return resolved?.arguments;
}

function evalHookExpression(op: Op, expression: string, scope: LocalScope): boolean {
  const [r] = withScope(op.expr, { ...op.globals, ...scope }, (s) => s.evalExprs([expression]));
  if (!r) throw new Error(`no result for '${expression}'`);
  if ("error" in r) throw new Error(r.error);
  return r.value === true;
}

/** Argo's `runOnExitNode`: runs the exit handler of a finished node as `<node>.onExit`, its child. */
export function runOnExitNode(
  op: Op,
  hook: LifecycleHook | undefined,
  parent: NodeView,
  boundaryID: string | undefined,
  prefix: string,
  scope: LocalScope,
): ExitRun {
  if (!hook || !shouldExecute(op, true)) return { has: false };
  const outputs = (lastRetryChild(op, parent) ?? parent).outputs;
  try {
    if (hook.expression && !evalHookExpression(op, hook.expression, scope)) return { has: false };
    const args = resolveHookArguments(op, hook.arguments, prefix, outputs, scope);
    const name = onExitNodeName(parent.name);
    const r = executeTemplate(op, name, { template: hook.template, templateRef: hook.templateRef }, args, {
      boundaryID,
      onExitTemplate: true,
      nodeFlag: { hooked: true },
    });
    addChildNode(op, parent.name, name);
    return { has: true, node: r.node, err: r.err };
  } catch (e) {
    return { has: true, err: { kind: "error", message: (e as Error).message } };
  }
}

/**
 * Argo's `executeTmplLifeCycleHook` (and, with no parent boundary, `executeWfLifeCycleHook`): named
 * hooks whose expression is true run as `<node>.hooks.<name>`; true when all started hooks are done.
 */
export function runLifecycleHooks(
  op: Op,
  hooks: Record<string, LifecycleHook> | undefined,
  parent: NodeView,
  boundaryID: string | undefined,
  prefix: string,
  scope: LocalScope,
): { done: boolean; err?: string } {
  if (hooks === undefined) return { done: true };
  const started: (NodeStatus | undefined)[] = [];
  for (const name of Object.keys(hooks ?? {}).sort()) {
    if (name === "exit") continue;
    const hook = hooks?.[name] as LifecycleHook;
    const nodeName = hookNodeName(parent.name, name);
    if (!hook.expression) return { done: false, err: `Expression required for hook ${nodeName}` };
    try {
      const existing = peekNode(op, nodeName);
      if (!evalHookExpression(op, hook.expression, scope) && !existing) continue;
      const outputs = (lastRetryChild(op, parent) ?? parent).outputs;
      const args = outputs
        ? resolveHookArguments(op, hook.arguments, prefix, outputs, scope)
        : hook.arguments;
      const r = executeTemplate(
        op,
        nodeName,
        { template: hook.template, templateRef: hook.templateRef },
        args,
        {
          boundaryID,
          nodeFlag: { hooked: true },
        },
      );
      if (r.err) return { done: false, err: r.err.message };
      addChildNode(op, parent.name, nodeName);
      started.push(r.node);
    } catch (e) {
      return { done: false, err: (e as Error).message };
    }
  }
  return { done: started.every((n) => n !== undefined && fulfilled(n)) };
}
