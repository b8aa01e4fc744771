/**
 * Names, by Argo's rules (workflow/validate/validate.go): template, step and task names are
 * letters, digits and '-', start with a letter or digit and are at most 128 long; parameter and
 * artifact names are letters, digits, '_' and '-'. Template names are unique in a document, step
 * names within their template, task names within their DAG, and parameter and artifact names within
 * their list. A DAG task name may not start with a digit when the DAG uses depends or dependencies.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import type { CallerModel } from "./model.ts";
import { asList, asRecord, asText, isRecord, present, q } from "./util.ts";

const FIELD_NAME = /^[a-zA-Z0-9][-a-zA-Z0-9]*$/;
const FIELD_NAME_MAX = 128;
const PARAM_NAME = /^[-a-zA-Z0-9_]+$/;

/** Checks the names of templates, steps, tasks, parameters and artifacts. */
export function checkNames(ctx: RuleContext): void {
  const { wf } = ctx;
  checkUnique(ctx, "template", "", wf.templates.map((t) => ({ name: t.name, path: t.path })));
  for (const t of wf.allTemplates) {
    const stepOrTask = t.callers.map((c) => ({ name: c.name, path: c.path }));
    if (t.type === "steps" || t.type === "dag") {
      checkUnique(ctx, t.type === "steps" ? "step" : "task", ` in ${t.label}`, stepOrTask);
    }
    if (t.type === "dag") checkTaskDigits(ctx, t.callers);
    const inputs = asRecord(t.value.inputs);
    const outputs = asRecord(t.value.outputs);
    const inPath = [...t.path, "inputs"];
    const outPath = [...t.path, "outputs"];
    checkList(ctx, "input parameter", ` of ${t.label}`, [...inPath, "parameters"], inputs?.parameters);
    checkList(ctx, "input artifact", ` of ${t.label}`, [...inPath, "artifacts"], inputs?.artifacts);
    checkList(ctx, "output parameter", ` of ${t.label}`, [...outPath, "parameters"], outputs?.parameters);
    checkList(ctx, "output artifact", ` of ${t.label}`, [...outPath, "artifacts"], outputs?.artifacts);
  }
  const args = asRecord(wf.spec.arguments);
  const argPath = [...wf.specPath, "arguments"];
  checkList(ctx, "workflow parameter", "", [...argPath, "parameters"], args?.parameters);
  checkList(ctx, "workflow artifact", "", [...argPath, "artifacts"], args?.artifacts);
  const holders = [
    ...wf.callers.map((c) => ({ label: c.label, path: c.path, value: c.value })),
    ...[...wf.hooks, ...wf.callers.flatMap((c) => c.hooks)].map((h) => ({
      label: h.owner ? `hook ${q(h.event)} of ${h.owner.label}` : `workflow hook ${q(h.event)}`,
      path: h.path,
      value: h.value,
    })),
  ];
  for (const h of holders) {
    const a = asRecord(h.value.arguments);
    checkList(
      ctx,
      "argument parameter",
      ` of ${h.label}`,
      [...h.path, "arguments", "parameters"],
      a?.parameters,
    );
    checkList(
      ctx,
      "argument artifact",
      ` of ${h.label}`,
      [...h.path, "arguments", "artifacts"],
      a?.artifacts,
    );
  }
}

interface Named {
  name: string | undefined;
  path: Path;
}

/** Template, step or task names: present, well-formed, unique. */
function checkUnique(ctx: RuleContext, what: string, where: string, items: Named[]): void {
  const seen = new Map<string, Path>();
  for (const item of items) {
    if (item.name === undefined || item.name === "") {
      ctx.report.error("name", item.path, `a ${what}${where} has no name; add "name:"`);
      continue;
    }
    const namePath = [...item.path, "name"];
    const problem = fieldNameProblem(item.name);
    if (problem) {
      ctx.report.error("name", namePath, `${what} name ${q(item.name)}${where} is invalid: ${problem}`);
    }
    const first = seen.get(item.name);
    if (first) {
      const line = ctx.report.doc.positionOf([...first, "name"]).line;
      ctx.report.error(
        "duplicate-name",
        namePath,
        `${what} name ${
          q(item.name)
        }${where} is used twice (also on line ${line}); ${what} names must be unique`,
      );
    } else {
      seen.set(item.name, item.path);
    }
  }
}

/** What is wrong with a template, step or task name, if anything. */
export function fieldNameProblem(name: string): string | undefined {
  if (name.length > FIELD_NAME_MAX) {
    return `it is ${name.length} characters long; names may have at most ${FIELD_NAME_MAX}`;
  }
  if (!FIELD_NAME.test(name)) {
    return `use letters, digits and '-', starting with a letter or digit (e.g. ${
      q(sanitize(name, /[^-a-zA-Z0-9]+/g))
    })`;
  }
  return undefined;
}

function sanitize(name: string, bad: RegExp): string {
  const s = name.replace(bad, "-").replace(/^[^a-zA-Z0-9]+/, "").replace(/-+$/, "");
  return s === "" ? "my-name" : s;
}

/** Argo reads a leading digit in depends as a number, so such DAGs may not have such task names. */
function checkTaskDigits(ctx: RuleContext, tasks: CallerModel[]): void {
  const usingDepends = tasks.some((t) => present(t.value.depends));
  for (const t of tasks) {
    if (t.name === undefined || !/^[0-9]/.test(t.name)) continue;
    if (!usingDepends && asList(t.value.dependencies).length === 0) continue;
    ctx.report.error(
      "name",
      [...t.path, "name"],
      `task name ${q(t.name)} starts with a digit, which is not allowed in a DAG that uses depends or ` +
        `dependencies; rename it (e.g. ${q("t" + t.name)})`,
    );
  }
}

/** A list of parameters or artifacts: each with a well-formed name, unique in the list. */
function checkList(ctx: RuleContext, what: string, of: string, path: Path, list: unknown): void {
  if (!Array.isArray(list)) return;
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    if (!isRecord(item)) return;
    const name = asText(item.name);
    if (name === undefined || name === "") {
      ctx.report.error(
        "name",
        [...path, i],
        `${/^[aeiou]/.test(what) ? "an" : "a"} ${what}${of} has no name; add "name:"`,
      );
      return;
    }
    const namePath = [...path, i, "name"];
    if (!PARAM_NAME.test(name)) {
      ctx.report.error(
        "name",
        namePath,
        `${what} name ${q(name)}${of} is invalid: use letters, digits, '_' and '-' ` +
          `(e.g. ${q(sanitize(name, /[^-a-zA-Z0-9_]+/g))})`,
      );
    }
    const first = seen.get(name);
    if (first !== undefined) {
      const line = ctx.report.doc.positionOf([...path, first, "name"]).line;
      ctx.report.error(
        "duplicate-name",
        namePath,
        `${what} ${q(name)}${of} is declared twice (also on line ${line}); names must be unique`,
      );
    } else {
      seen.set(name, i);
    }
  });
}
