/**
 * DAGs: at least one task; `depends` parses and names existing tasks with valid results
 * (`.AnySucceeded`/`.AllFailed` only on looping tasks); `dependencies` names existing tasks; a DAG
 * uses depends or dependencies, not both, and not continueOn with depends; no dependency cycles;
 * `target` names existing tasks.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { dependencyGraph, ITEM_RESULTS, parseDepends, TASK_RESULTS } from "./depends.ts";
import type { CallerModel, TemplateModel } from "./model.ts";
import { asList, asRecord, asText, closest, hasTag, present, q, suggest } from "./util.ts";

/** Checks every DAG template: tasks, depends/dependencies, cycles and target. */
export function checkDags(ctx: RuleContext): void {
  for (const t of ctx.wf.allTemplates) {
    if (t.type === "dag") checkDag(ctx, t);
  }
}

function checkDag(ctx: RuleContext, t: TemplateModel): void {
  const dag = asRecord(t.value.dag);
  if (dag === undefined) return;
  const dagPath = [...t.path, "dag"];
  const tasks = t.callers;
  if (Array.isArray(dag.tasks) ? dag.tasks.length === 0 : dag.tasks === undefined || dag.tasks === null) {
    ctx.report.errorAtKey(
      "dag",
      present(dag.tasks) ? [...dagPath, "tasks"] : [...t.path, "dag"],
      `dag of ${t.label} has no tasks; add "tasks:" with at least one task`,
    );
    return;
  }
  const names = tasks.map((c) => c.name).filter((n) => n !== undefined);
  const byName = new Map(tasks.filter((c) => c.name !== undefined).map((c) => [c.name!, c]));
  const usingDepends = tasks.some((c) => present(c.value.depends));
  for (const task of tasks) {
    if (present(task.value.depends) && present(task.value.dependencies)) {
      ctx.report.errorAtKey(
        "dag-dependencies",
        [...task.path, "dependencies"],
        `${task.label} sets both depends and dependencies; keep only depends ` +
          `(dependencies ${JSON.stringify(asList(task.value.dependencies))} is "depends: ${
            dependsFor(task)
          }")`,
      );
    } else if (usingDepends && present(task.value.dependencies)) {
      ctx.report.errorAtKey(
        "dag-dependencies",
        [...task.path, "dependencies"],
        `${task.label} uses dependencies but other tasks of ${t.label} use depends; ` +
          `a DAG uses one or the other: write "depends: ${dependsFor(task)}"`,
      );
    }
    if (usingDepends && present(task.value.continueOn)) {
      ctx.report.errorAtKey(
        "dag-dependencies",
        [...task.path, "continueOn"],
        `${task.label} sets continueOn in a DAG that uses depends; ` +
          `instead let the tasks after it depend on "${task.name ?? "task"}.Failed" or "${
            task.name ?? "task"
          }.Errored"`,
      );
    }
    checkDependencies(ctx, task, names);
    checkDependsExpression(ctx, task, names, byName);
  }
  checkCycles(ctx, tasks);
  checkTarget(ctx, t, dag, names);
}

/** The `depends` equivalent of a task's `dependencies` list. */
function dependsFor(task: CallerModel): string {
  return asList(task.value.dependencies).map((d) => asText(d) ?? "?").join(" && ");
}

function checkDependencies(ctx: RuleContext, task: CallerModel, names: string[]): void {
  asList(task.value.dependencies).forEach((d, i) => {
    const name = asText(d);
    if (name === undefined || names.includes(name)) return;
    ctx.report.error(
      "dag-unknown-task",
      [...task.path, "dependencies", i],
      `${task.label} depends on unknown task ${q(name)}${suggest(name, names, "tasks")}`,
    );
  });
}

function checkDependsExpression(
  ctx: RuleContext,
  task: CallerModel,
  names: string[],
  byName: Map<string, CallerModel>,
): void {
  const depends = asText(task.value.depends);
  if (depends === undefined) return;
  const path = [...task.path, "depends"];
  const parsed = parseDepends(depends);
  if (parsed.error !== undefined) {
    ctx.report.error(
      "dag-depends",
      path,
      `depends of ${task.label} is not a valid expression: ${parsed.error}; ` +
        `write task names joined with &&, || and ! (e.g. "a && (b.Failed || c)")`,
    );
  }
  const reported = new Set<string>();
  for (const ref of parsed.refs) {
    if (!names.includes(ref.task)) {
      if (reported.has(ref.task)) continue;
      reported.add(ref.task);
      ctx.report.error(
        "dag-unknown-task",
        path,
        `${task.label} depends on unknown task ${q(ref.task)}${suggest(ref.task, names, "tasks")}`,
      );
      continue;
    }
    if (ref.result === undefined) continue;
    if (!(TASK_RESULTS as readonly string[]).includes(ref.result)) {
      const near = closest(ref.result, TASK_RESULTS);
      const fix = near !== undefined
        ? `did you mean ${q(`${ref.task}.${near}`)}?`
        : `results are: ${TASK_RESULTS.join(", ")}`;
      ctx.report.error(
        "dag-depends",
        path,
        `depends of ${task.label} tests unknown result ${q(`${ref.task}.${ref.result}`)}; ${fix}`,
      );
      continue;
    }
    const dep = byName.get(ref.task);
    if (ITEM_RESULTS.includes(ref.result) && dep !== undefined && !dep.loops) {
      ctx.report.error(
        "dag-depends",
        path,
        `depends of ${task.label} tests ${q(`${ref.task}.${ref.result}`)}, but ${dep.label} does not loop; ` +
          `use ${q(`${ref.task}.${ref.result === "AnySucceeded" ? "Succeeded" : "Failed"}`)}`,
      );
    }
  }
}

/** Every dependency cycle, named in order (`a -> b -> a`), reported once at its first task. */
function checkCycles(ctx: RuleContext, tasks: CallerModel[]): void {
  const graph = dependencyGraph(tasks);
  const order = new Map(tasks.map((c, i) => [c.name, i]));
  const done = new Set<string>();
  const reported = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (name: string): void => {
    if (done.has(name)) return;
    if (onStack.has(name)) {
      const cycle = stack.slice(stack.indexOf(name));
      // Start the cycle at the task written first, so the same cycle always reads the same.
      let start = 0;
      cycle.forEach((n, i) => {
        if ((order.get(n) ?? 0) < (order.get(cycle[start]!) ?? 0)) start = i;
      });
      const ordered = [...cycle.slice(start), ...cycle.slice(0, start)];
      const key = [...ordered].sort().join(" ");
      if (reported.has(key)) return;
      reported.add(key);
      const first = tasks.find((c) => c.name === ordered[0])!;
      const at: Path = present(first.value.depends)
        ? [...first.path, "depends"]
        : [...first.path, "dependencies"];
      ctx.report.error(
        "dag-cycle",
        at,
        `dependency cycle: ${[...ordered, ordered[0]!].join(" -> ")}; remove one of these dependencies`,
      );
      return;
    }
    stack.push(name);
    onStack.add(name);
    for (const dep of graph.get(name) ?? []) visit(dep);
    stack.pop();
    onStack.delete(name);
    done.add(name);
  };
  for (const name of graph.keys()) visit(name);
}

function checkTarget(
  ctx: RuleContext,
  t: TemplateModel,
  dag: Record<string, unknown>,
  names: string[],
): void {
  const target = asText(dag.target);
  if (target === undefined || hasTag(target)) return;
  for (const name of target.split(/\s+/).filter((s) => s !== "")) {
    if (names.includes(name)) continue;
    ctx.report.error(
      "dag-unknown-task",
      [...t.path, "dag", "target"],
      `target of ${t.label} names unknown task ${q(name)}${suggest(name, names, "tasks")}`,
    );
  }
}
