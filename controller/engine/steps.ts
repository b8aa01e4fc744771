/**
 * Steps templates (Argo's `executeSteps`/`executeStepGroup`): step groups run in order, the steps of a
 * group in parallel; a group fails when a child fails unless it `continueOn` that; outputs of each
 * finished group become `steps.<name>.*` for the next ones.
 */

import type { NodeStatus, Template, WorkflowStep } from "../spec/types.ts";
import { inputArtifactScope, resolveArgumentArtifacts } from "./artifacts.ts";
import type { Op } from "./context.ts";
import type { Exec, ExecOpts } from "./exec-types.ts";
import { runLifecycleHooks, runOnExitNode, stepExitHook } from "./exit-handlers.ts";
import { substituteIn } from "./expr.ts";
import { executeTemplate } from "./execute.ts";
import { MAX_STACK_DEPTH } from "./context.ts";
import { continueStartedPod, plainPodTemplate, type StartedPod, startedPod } from "./started.ts";
import { loopItem, loopItems, loopItemTail, shouldExpand, substituteItem } from "./loops.ts";
import { childName, stepGroupName } from "./names.ts";
import {
  addChildNode,
  childrenFulfilled,
  completed,
  failedOrError,
  fulfilled,
  getNode,
  initializeNode,
  isLinked,
  markNodeError,
  markNodePhase,
  outboundNodes,
  peekById,
  peekNode,
  phaseFulfilled,
  templateNode,
} from "./nodes.ts";
import {
  addOutputsToGlobalScope,
  addOutputsToLocalScope,
  type LocalScope,
  templateOutputsFromScope,
} from "./outputs.ts";
import { killDaemonedChildren } from "./daemons.ts";
import { workflowParallelismReached, workflowParallelismRoom } from "./parallelism.ts";
import { ItemsTracker } from "./settled-items.ts";
import { keepSettledPrefix, settledPrefix, type SettledWalk, StepsScope } from "./steps-scope.ts";
import type { NodeView } from "./tree.ts";
import { evalWhens, whenError, whenFalse } from "./when.ts";

/** What running the lifecycle hooks of a step that has none gives. */
const NO_HOOKS: { done: boolean; err?: string } = { done: true };

/** Context of one steps node: its id and the variables its steps see. */
interface StepsContext {
  boundaryID: string;
  scope: StepsScope;
  onExitTemplate: boolean;
}

/** Does the step continue on this (failed/errored) phase? */
export function continuesOn(
  step: { continueOn?: { failed?: boolean; error?: boolean } | undefined } | undefined,
  phase: string | undefined,
): boolean {
  const c = step?.continueOn;
  if (!c) return false;
  return (phase === "Failed" && c.failed === true) || (phase === "Error" && c.error === true);
}

/** The variables a steps/dag template starts with: its inputs and the workflow's global outputs. */
export function createScope(op: Op, tmpl: Template): LocalScope {
  const scope: LocalScope = {};
  for (const p of tmpl.inputs?.parameters ?? []) scope[`inputs.parameters.${p.name}`] = p.value ?? "";
  inputArtifactScope(tmpl, scope);
  addOutputsToLocalScope("workflow", op.status.outputs, scope);
  return scope;
}

/** Argo's `executeSteps`. */
export function executeSteps(
  op: Op,
  nodeName: string,
  templateName: string,
  tmpl: Template,
  opts: ExecOpts,
): Exec {
  const { node } = templateNode(op, nodeName, "Steps", "Running", {
    templateName,
    boundaryID: opts.boundaryID,
    flag: opts.nodeFlag,
    inputs: tmpl.inputs,
  });
  try {
    return runSteps(op, node, nodeName, tmpl, opts);
  } finally {
    const now = op.tree.peek(node.id);
    if (now && fulfilled(now)) killDaemonedChildren(op, now.id);
  }
}

function runSteps(op: Op, node: NodeStatus, nodeName: string, tmpl: Template, opts: ExecOpts): Exec {
  const groups = tmpl.steps ?? [];
  // The groups an earlier pass of this reconcile found settled are not walked again (steps-scope.ts).
  const carried = settledPrefix(op, nodeName, groups);
  const ctx: StepsContext = {
    boundaryID: node.id,
    scope: new StepsScope(createScope(op, tmpl), carried?.writes.slice()),
    onExitTemplate: opts.onExitTemplate === true,
  };
  const settled: SettledWalk = {
    groups: carried?.groups ?? 0,
    writes: ctx.scope.length,
    ends: carried?.ends.slice() ?? [],
    pure: carried?.pure ?? 0,
  };
  try {
    return walkGroups(op, node, nodeName, tmpl, ctx, settled);
  } finally {
    keepSettledPrefix(op, nodeName, groups, settled, ctx.scope);
  }
}

/**
 * Walks the step groups from `settled.groups` on; `settled` grows while the walk writes nothing
 * (no node copied or created, no change to the tree), `settled.pure` while passSettledGroup passes.
 */
function walkGroups(
  op: Op,
  node: NodeStatus,
  nodeName: string,
  tmpl: Template,
  ctx: StepsContext,
  settled: SettledWalk,
): Exec {
  const groups = tmpl.steps ?? [];
  let passed: NodeView | undefined;
  for (let i = settled.groups; i < groups.length; i++) {
    const sgName = stepGroupName(nodeName, i);
    if (settled.groups === i) {
      passed = passSettledGroup(op, node, nodeName, groups[i] ?? [], i, sgName, passed, ctx);
      if (passed) {
        if (settled.pure === i) settled.pure = i + 1;
        settled.groups = i + 1;
        settled.writes = ctx.scope.length;
        settled.ends.push(settled.writes);
        continue;
      }
    }
    const owned = op.tree.ownedCount();
    const epoch = op.epoch;
    const sg = peekNode(op, sgName);
    // A group Running already is left as it is (marking it again would copy it, see tree.ts).
    if (!sg) initializeNode(op, sgName, "StepGroup", "Running", { boundaryID: ctx.boundaryID });
    else if (!fulfilled(sg) && sg.phase !== "Running") markNodePhase(op, sgName, "Running");
    if (i === 0) {
      addChildNode(op, nodeName, sgName);
    } else {
      const prevName = stepGroupName(nodeName, i - 1);
      const prev = peekNode(op, prevName);
      if (!prev) return { node, err: { kind: "error", message: `node ${prevName} not found` } };
      if (!prev.children || prev.children.length === 0) addChildNode(op, prevName, sgName);
      else {
        for (const childId of prev.children) {
          for (const outId of outboundNodes(op, childId)) addChildNode(op, peekById(op, outId).name, sgName);
        }
      }
    }
    let sgNode: NodeView;
    try {
      sgNode = executeStepGroup(op, groups[i] ?? [], sgName, ctx);
    } catch (e) {
      sgNode = markNodeError(op, sgName, (e as Error).message);
    }
    if (!fulfilled(sgNode)) return { node };
    if (failedOrError(sgNode.phase)) {
      updateOutboundNodes(op, nodeName, tmpl);
      return { node: markNodePhase(op, nodeName, "Failed", sgNode.message ?? "") };
    }
    for (const step of groups[i] ?? []) {
      const childNodeName = childName(sgName, step.name ?? "");
      const child = peekNode(op, childNodeName);
      const prefix = `steps.${step.name ?? ""}`;
      if (!child) {
        const items = op.tree.values().filter((n) =>
          n.boundaryID === ctx.boundaryID && n.name.startsWith(`${childNodeName}(`) && n.type !== "Skipped"
        );
        try {
          ctx.scope.addAggregate(prefix, items);
        } catch (e) {
          return {
            node: markNodeError(op, nodeName, (e as Error).message),
            err: { kind: "error", message: (e as Error).message },
          };
        }
      } else {
        ctx.scope.addNode(op, prefix, child);
      }
    }
    if (settled.groups === i && owned === op.tree.ownedCount() && epoch === op.epoch) {
      settled.groups = i + 1;
      settled.writes = ctx.scope.length;
      settled.ends.push(settled.writes);
    }
  }
  updateOutboundNodes(op, nodeName, tmpl);
  try {
    const declares = (tmpl.outputs?.parameters?.length ?? 0) > 0 ||
      (tmpl.outputs?.artifacts?.length ?? 0) > 0;
    const outputs = declares ? templateOutputsFromScope(op, tmpl, ctx.scope.read(op)) : undefined;
    if (outputs) {
      node.outputs = outputs;
      addOutputsToGlobalScope(op, outputs);
    }
  } catch (e) {
    const message = (e as Error).message;
    return { node: markNodeError(op, nodeName, message), err: { kind: "error", message } };
  }
  return { node: markNodePhase(op, nodeName, "Succeeded") };
}

/** Argo's `updateOutboundNodes`: the outbound nodes of the last initialized step group. */
function updateOutboundNodes(op: Op, nodeName: string, tmpl: Template): void {
  let last: NodeStatus | undefined;
  for (let i = (tmpl.steps?.length ?? 0) - 1; i >= 0; i--) {
    last = getNode(op, stepGroupName(nodeName, i));
    if (last) break;
  }
  if (!last) return;
  const outbound = (last.children ?? []).flatMap((id) => outboundNodes(op, id));
  const node = getNode(op, nodeName);
  if (node) node.outboundNodes = outbound;
}

/**
 * The node of group `i` of a steps node, if walking it would write nothing and end in going on to
 * the next group: it has finished without failing, each of its steps is one finished child (no
 * loop, hook or exit handler), and it is linked below what precedes it. Then only the scope gets
 * the steps' variables, as the walk gives them. Checked with a few reads per group (by id, names
 * compared rather than looked up), so a pass over the long finished start of a chain of steps
 * stays cheap even when no earlier pass of the reconcile found it settled. `prev` is the node of
 * group `i - 1` when this function passed it.
 */
function passSettledGroup(
  op: Op,
  stepsNode: NodeView,
  nodeName: string,
  group: WorkflowStep[],
  i: number,
  sgName: string,
  prev: NodeView | undefined,
  ctx: StepsContext,
): NodeView | undefined {
  if (group.length === 0) return undefined;
  for (const step of group) {
    if (step.hooks !== undefined || step.onExit !== undefined || shouldExpand(step)) return undefined;
  }
  // The group's node is found among the children of what precedes it (which must all link it).
  let sg: NodeView | undefined;
  const find = (parent: NodeView) => {
    for (const id of parent.children ?? []) {
      const child = op.tree.peek(id);
      if (child && op.tree.isNamed(child, sgName)) return child;
    }
    return undefined;
  };
  try {
    if (i === 0) sg = find(stepsNode);
    else {
      const before = prev ?? peekNode(op, stepGroupName(nodeName, i - 1));
      if (!before?.children || before.children.length === 0) return undefined;
      for (const childId of before.children) {
        for (const outId of outboundNodes(op, childId)) {
          const out = peekById(op, outId);
          if (!op.tree.isNamed(out, out.name)) return undefined;
          if (sg === undefined) sg = find(out);
          if (sg === undefined || !out.children?.includes(sg.id)) return undefined;
        }
      }
    }
  } catch {
    return undefined; // a missing node: the walk says what is wrong
  }
  if (!sg || !fulfilled(sg) || failedOrError(sg.phase)) return undefined;
  const children = sg.children;
  if (!children || children.length !== group.length) return undefined;
  const nodes: NodeView[] = [];
  for (let k = 0; k < group.length; k++) {
    const child = op.tree.peek(children[k]!);
    if (!child || !fulfilled(child) || !op.tree.isNamed(child, childName(sgName, group[k]!.name ?? ""))) {
      return undefined;
    }
    nodes.push(child);
  }
  for (let k = 0; k < group.length; k++) ctx.scope.addNode(op, `steps.${group[k]!.name ?? ""}`, nodes[k]!);
  return sg;
}

/**
 * A finished group whose own children have all finished and that has no hooks to run: going
 * through it again (substituting it, evaluating its `when`s, visiting each child) cannot change
 * anything, yet Argo does so in every pass until everything below it (every later group of the
 * steps, as they hang below it) is done, which makes a long steps template quadratic. What that
 * walk leaves in the scope (`steps.<child>.status`) is set here as it would be.
 */
function settledGroup(op: Op, group: WorkflowStep[], sg: NodeView, ctx: StepsContext): boolean {
  const children = sg.children ?? [];
  if (children.length === 0) return false;
  if (group.some((step) => step.hooks !== undefined || step.onExit !== undefined)) return false;
  const nodes: NodeView[] = [];
  for (const id of children) {
    const child = op.tree.peek(id);
    if (!child || !fulfilled(child)) return false;
    nodes.push(child);
  }
  for (const child of nodes) ctx.scope.set(`steps.${child.displayName ?? ""}.status`, child.phase ?? "");
  return true;
}

/**
 * Finds the nodes of loop items among the children of their step group, which links them in the
 * order of the items: comparing a child's name with the parts of an item's name spares building
 * that name and looking it up, for each item in each pass. A node found so is the one called that
 * name, and is linked to the group.
 */
class ItemCursor {
  readonly #op: Op;
  readonly #children: readonly string[];
  #at = 0;
  #resyncs = 0;

  constructor(op: Op, children: readonly string[]) {
    this.#op = op;
    this.#children = children;
  }

  /** The child at the cursor if it is called `prefix + tail` (the cursor then moves on). */
  next(prefix: string, tail: string): NodeView | undefined {
    const id = this.#children[this.#at];
    if (id === undefined) return undefined;
    const node = this.#op.tree.peek(id);
    if (!node) return undefined;
    const name = node.name;
    if (name.length !== prefix.length + tail.length || !name.endsWith(tail) || !name.startsWith(prefix)) {
      return undefined;
    }
    if (!this.#op.tree.isNamed(node, name)) return undefined;
    this.#at++;
    return node;
  }

  /**
   * Moves the cursor past the first `count` children, known to be the first items (see
   * settled-items.ts), if it is still at the first child; says whether it did.
   */
  skipFirst(count: number): boolean {
    if (this.#at !== 0) return false;
    this.#at = count;
    return true;
  }

  /** Moves the cursor past child `id`, found by its name (a few times a group: a search). */
  resync(id: string): void {
    if (this.#resyncs++ >= 8) return;
    const at = this.#children.indexOf(id, this.#at);
    if (at >= 0) this.#at = at + 1;
  }
}

/** An expanded step: the step to run and its node name. */
interface Planned {
  step: WorkflowStep;
  nodeName: string;
  expanded: boolean;
  /** The item's started pod, executed without its step substituted (see started.ts). */
  started?: StartedPod;
  /** The item's finished node, which executing it would hand back as it is. */
  done?: NodeStatus;
  /** Is the node of a started or finished item among the group's children (see ItemCursor)? */
  linked?: boolean;
}

/** Argo's `executeStepGroup`. */
function executeStepGroup(op: Op, group: WorkflowStep[], sgName: string, ctx: StepsContext): NodeView {
  const seen = peekNode(op, sgName);
  if (!seen) throw new Error(`node ${sgName} not found`);
  if (fulfilled(seen) && (childrenFulfilled(op, seen) || settledGroup(op, group, seen, ctx))) return seen;

  // Resolve references to earlier steps (one substitution for the whole group).
  let resolved: WorkflowStep[];
  // The scope is read only where it may be used (reading it applies every logged write).
  const vars = () => ({ ...op.globals, ...ctx.scope.read(op) });
  try {
    resolved = JSON.stringify(group).includes("{{")
      ? substituteIn(op.expr, [op.globals, ctx.scope.read(op)], group)
      : group;
  } catch (e) {
    return markNodeError(op, sgName, `Failed to resolve references: ${(e as Error).message}`);
  }
  try {
    resolved = resolveArgumentArtifacts(op, resolved, vars);
  } catch (e) {
    return markNodeError(op, sgName, (e as Error).message);
  }

  // Expand loops; evaluate every `when` of the group in one call.
  const whens = evalWhens(op, resolved.map((s) => (shouldExpand(s) ? s.when ?? "" : "")));
  const planned: Planned[] = [];
  const linkedItems = new ItemCursor(op, seen.children ?? []);
  // The group's first children skipped as finished items of one looped step (settled-items.ts).
  let skipped: ItemsTracker | undefined;
  const trackers: ItemsTracker[] = [];
  for (let i = 0; i < resolved.length; i++) {
    const step = resolved[i] as WorkflowStep;
    if (!shouldExpand(step)) {
      planned.push({ step, nodeName: childName(sgName, step.name ?? ""), expanded: false });
      continue;
    }
    const w = whens[i];
    const isFalse = whenFalse(w);
    let items: unknown[];
    try {
      items = loopItems(step, isFalse);
    } catch (e) {
      return markNodeError(op, sgName, (e as Error).message);
    }
    if (items.length === 0) {
      const skipName = childName(sgName, step.name ?? "");
      if (!peekNode(op, skipName)) {
        initializeNode(op, skipName, "Skipped", "Skipped", {
          templateName: step.template,
          boundaryID: ctx.boundaryID,
          message: "Skipped, empty params",
        });
        addChildNode(op, sgName, skipName);
      }
      continue;
    }
    const { withItems: _a, withParam: _b, withSequence: _c, ...base } = step;
    // Items that have no node yet and cannot start while the workflow's parallelism is used up are
    // not expanded: executeTemplate would only say so, and substituting every waiting item of a
    // large fan-out in every pass is what made passes slow. (A `when`, which may make a Skipped
    // node, is still evaluated.) A pass starts at most `room` new items; the next pass goes on.
    let room = workflowParallelismRoom(op);
    // A started pod of an item is not rendered (started.ts), nor is the item substituted into its
    // step, when nothing the group reads of that step depends on the item.
    // The step of an item that is not executed (finished, or a started pod) is only read for its
    // hooks, exit handler and continueOn, which do not depend on the item (nor, without hooks, on
    // its name): all such items share one.
    const hookless = step.hooks === undefined && step.onExit === undefined;
    const depthOk = op.depth + 1 < MAX_STACK_DEPTH;
    const plain = hookless && step.when === undefined && depthOk ? plainPodTemplate(op, base) : undefined;
    const namePrefix = `${childName(sgName, step.name ?? "")}(`;
    // The finished items of a step with no hook and no `when` only set their status variable.
    const tracker = hookless && step.when === undefined && depthOk
      ? new ItemsTracker(op, sgName, step, namePrefix)
      : undefined;
    let j = 0;
    if (tracker && linkedItems.skipFirst(tracker.skipped)) {
      j = tracker.skipped;
      if (j > 0) skipped = tracker;
    } else tracker?.notFirst();
    // Items known to have no node wait for room: once there is none, the rest would all wait too
    // (naming an item throws for a null one, which makes every pass end there).
    const waitFrom = tracker && items.indexOf(null) < 0 ? tracker.absentFrom : Infinity;
    for (; j < items.length; j++) {
      if (j >= waitFrom && room <= 0) break;
      const tail = loopItemTail(j, items[j]);
      // Most items are found where the group links them (no name to build and look up).
      let existing: NodeView | undefined = linkedItems.next(namePrefix, tail);
      const linked = existing !== undefined;
      const name = existing ? existing.name : namePrefix + tail;
      if (!existing) {
        existing = peekNode(op, name);
        if (existing) linkedItems.resync(existing.id);
      }
      if (existing) tracker?.seen(j);
      // The item's step, as Argo expands it: the item substituted everywhere in it.
      const expand = (): WorkflowStep => {
        const item = loopItem(step.name ?? "", j, items[j]);
        const expanded = { ...substituteItem(op.expr, base, item.vars), name: item.name };
        if (step.template !== undefined) expanded.template = step.template;
        return expanded;
      };
      // A finished item's step is read for its `when` (evaluated again in every pass, as Argo does),
      // hooks, exit handler and continueOn: without hooks or `when` nothing of it depends on the
      // item (nor on its name, unless `named`), and all such items share the step as it is.
      const finishedStep = (named: boolean): WorkflowStep =>
        hookless && step.when === undefined
          ? (named ? { ...base, name: `${step.name ?? ""}(${tail}` } : base)
          : expand();
      if (!existing && step.when === undefined && room-- <= 0) continue;
      let expandedStep: WorkflowStep;
      const started = existing && plain && !fulfilled(existing)
        ? startedPod(op, existing, plain, { boundaryID: ctx.boundaryID, onExitTemplate: ctx.onExitTemplate })
        : undefined;
      if (started) {
        planned.push({ step: base, nodeName: name, expanded: true, started, linked });
        continue;
      }
      if (existing && depthOk && phaseFulfilled(existing.phase)) {
        // What executeTemplate hands back for a finished node, without asking it.
        const done = existing as NodeStatus;
        if (linked) tracker?.found(op, j, done, !continuesOn(base, done.phase));
        let doneStep: WorkflowStep;
        try {
          doneStep = finishedStep(false);
        } catch (e) {
          return markNodeError(op, sgName, (e as Error).message);
        }
        planned.push({ step: doneStep, nodeName: name, expanded: true, done, linked });
        continue;
      }
      try {
        expandedStep = existing && fulfilled(existing) ? finishedStep(true) : expand();
      } catch (e) {
        return markNodeError(op, sgName, (e as Error).message);
      }
      planned.push({ step: expandedStep, nodeName: name, expanded: true });
    }
    if (tracker) trackers.push(tracker);
  }
  for (const tracker of trackers) tracker.keep(op);
  // `when` of expanded steps may use {{item}}: evaluate them after expansion, in one call.
  const plannedWhens = evalWhens(op, planned.map((p) => p.step.when ?? ""));

  const nodeSteps = new Map<string, WorkflowStep>();
  for (let i = 0; i < planned.length; i++) {
    const { step, nodeName: childNodeName } = planned[i] as Planned;
    const w = plannedWhens[i];
    const whenErr = whenError(w);
    if (whenErr !== undefined) {
      if (!peekNode(op, childNodeName)) {
        initializeNode(op, childNodeName, "Skipped", "Error", {
          templateName: step.template,
          boundaryID: ctx.boundaryID,
          message: whenErr,
        });
      }
      addChildNode(op, sgName, childNodeName);
      markNodeError(op, childNodeName, whenErr);
      return markNodeError(op, sgName, whenErr);
    }
    if (whenFalse(w)) {
      if (!peekNode(op, childNodeName)) {
        initializeNode(op, childNodeName, "Skipped", "Skipped", {
          templateName: step.template,
          boundaryID: ctx.boundaryID,
          message: `when '${step.when ?? ""}' evaluated false`,
        });
        addChildNode(op, sgName, childNodeName);
      }
      continue;
    }
    if (workflowParallelismReached(op) && !peekNode(op, childNodeName)) continue;
    const { started, done: finished, linked: known } = planned[i] as Planned;
    const r = finished
      ? { node: finished }
      : started
      ? continueStartedPod(op, started)
      : executeTemplate(op, childNodeName, step, step.arguments, {
        boundaryID: ctx.boundaryID,
        onExitTemplate: ctx.onExitTemplate,
      }, "step");
    if (r.err) {
      switch (r.err.kind) {
        case "parallelism":
        case "maxDepth":
          break;
        case "timeout":
          return markNodePhase(op, sgName, "Failed", r.err.message);
        default:
          addChildNode(op, sgName, childNodeName);
          return markNodeError(
            op,
            sgName,
            `step group deemed errored due to child ${childNodeName} error: ${r.err.message}`,
          );
      }
    }
    if (r.node) {
      // The name of a node found by it is the same string, and looking that one up again is quicker.
      const linked = known === true || (r.node.name === childNodeName && isLinked(op, seen.id, r.node.id));
      nodeSteps.set(linked ? r.node.name : childNodeName, step);
      if (!linked) addChildNode(op, sgName, childNodeName);
    }
  }

  const sg = peekNode(op, sgName) as NodeView;
  const children = sg.children ?? [];
  const first = skipped?.skipped ?? 0;
  if (skipped) ctx.scope.setEach(skipped.skippedWrites(), first);
  let done = true;
  for (let c = first; c < children.length; c++) {
    const child = peekById(op, children[c]!);
    const step = nodeSteps.get(child.name);
    ctx.scope.set(`steps.${child.displayName ?? ""}.status`, child.phase ?? "");
    const hooks = step?.hooks
      ? runLifecycleHooks(
        op,
        step.hooks,
        child,
        ctx.boundaryID,
        `steps.${step.name ?? ""}`,
        ctx.scope.read(op),
      )
      : NO_HOOKS;
    if (hooks.err) markNodeError(op, sgName, hooks.err);
    if (!hooks.done) return peekNode(op, sgName) as NodeView;
    if (!fulfilled(child)) {
      done = false;
    } else if (completed(child.phase)) {
      const hook = step ? stepExitHook(op, step) : undefined;
      if (hook) {
        const scope = ctx.scope.read(op);
        const exit = runOnExitNode(op, hook, child, ctx.boundaryID, `steps.${step?.name ?? ""}`, scope);
        if (exit.err) throw new Error(exit.err.message);
        if (exit.has && (!exit.node || !fulfilled(exit.node))) done = false;
      }
    }
  }
  if (!done) {
    if (fulfilled(sg)) return markNodePhase(op, sgName, "Running");
    return sg;
  }
  addOutputsToGlobalScope(op, sg.outputs);
  if (skipped?.skippedFailed !== undefined) {
    return markNodePhase(op, sgName, "Failed", `child '${children[skipped.skippedFailed]}' failed`);
  }
  for (let c = first; c < children.length; c++) {
    const childId = children[c]!;
    const child = peekById(op, childId);
    const step = nodeSteps.get(child.name);
    if (failedOrError(child.phase) && !continuesOn(step, child.phase)) {
      return markNodePhase(op, sgName, "Failed", `child '${childId}' failed`);
    }
  }
  return markNodePhase(op, sgName, "Succeeded");
}
