/**
 * Variables: every `{{...}}` reference (and every variable chain inside a `{{=...}}` expression)
 * must be able to resolve where it is written:
 * - `inputs.parameters.X` / `inputs.artifacts.X`: declared in the template's inputs;
 * - `steps.X...`: a step of an earlier step group of the same steps template (any step in the
 *   template's outputs; the step itself in its hooks), with attributes Argo sets;
 * - `tasks.X...`: a task the referring task depends on, directly or not (any task in outputs);
 * - `item`: only in a looping step or task (and `item.K` only for keys its withItems have);
 * - `workflow.*`: the names of docs/variables.md; `workflow.parameters.X` declared in
 *   spec.arguments (a warning in WorkflowTemplates, whose callers may supply it);
 * - `pod.name` only in templates that run a pod; `retries` with a retryStrategy;
 * - an unknown root (`{{foo}}`) is a warning: Argo leaves such text as written.
 * Expressions are scanned conservatively: what cannot be followed is not reported.
 * This file finds the names and where they are written; scope.ts judges each one.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { type ChainRef, expressionRefs, findTags, simpleRef } from "./expressions.ts";
import type { TemplateModel, WorkflowModel } from "./model.ts";
import { Scope, type Site } from "./scope.ts";
import { isRecord, q } from "./util.ts";

/** Checks every `{{...}}` variable reference of a document. */
export function checkVariables(ctx: RuleContext): void {
  new VariableChecker(ctx).run();
}

/** Walks every string of a document with the site it is written at, and reports what cannot resolve. */
class VariableChecker {
  private readonly wf: WorkflowModel;
  private readonly scope: Scope;

  constructor(private readonly ctx: RuleContext) {
    this.wf = ctx.wf;
    this.scope = new Scope(ctx);
  }

  run(): void {
    const { wf } = this;
    // Workflow-level fields (everything but the templates, and templateDefaults that every template merges).
    for (const [key, value] of Object.entries(wf.spec)) {
      if (key === "templates" || key === "templateDefaults") continue;
      this.walk(value, [...wf.specPath, key], {
        template: undefined,
        caller: undefined,
        inHooks: false,
        section: "workflow",
      });
    }
    for (const t of wf.allTemplates) this.walkTemplate(t);
  }

  private walkTemplate(t: TemplateModel): void {
    const section = t.owner ? "inline" : "body";
    for (const [key, value] of Object.entries(t.value)) {
      const path = [...t.path, key];
      if (key === "steps" && t.type === "steps") continue;
      if (key === "dag" && t.type === "dag" && isRecord(value)) {
        for (const [k, v] of Object.entries(value)) {
          if (k !== "tasks") {
            this.walk(v, [...path, k], {
              template: t,
              caller: undefined,
              inHooks: false,
              section: "outputs",
            });
          }
        }
        continue;
      }
      const s = key === "outputs" || key === "metrics" ? "outputs" : section;
      this.walk(value, path, { template: t, caller: undefined, inHooks: false, section: s });
    }
    for (const c of t.callers) {
      for (const [key, value] of Object.entries(c.value)) {
        if (key === "inline") continue;
        const inHooks = key === "hooks" || key === "onExit";
        this.walk(value, [...c.path, key], { template: t, caller: c, inHooks, section: "caller" });
      }
    }
  }

  private walk(value: unknown, path: Path, site: Site): void {
    if (typeof value === "string") {
      if (value.includes("{{")) this.checkString(value, path, site);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => this.walk(v, [...path, i], site));
    } else if (isRecord(value)) {
      for (const [k, v] of Object.entries(value)) this.walk(v, [...path, k], site);
    }
  }

  private checkString(s: string, path: Path, site: Site): void {
    for (const tag of findTags(s)) {
      if (tag.expression) {
        for (const ref of expressionRefs(tag.body)) this.checkChain(ref, tag.text, path, site);
        continue;
      }
      const segments = simpleRef(tag.body);
      if (segments === undefined) continue;
      const shown = `{{${tag.body.trim()}}}`;
      const v = this.scope.judge(segments, site, true);
      if (!v.ok) this.report(v.severity, path, `${q(shown)}: ${v.message}`);
      else if (!v.complete) {
        this.report(
          "error",
          path,
          `${q(shown)}: this names a group of values, not one value; name one of them`,
        );
      }
    }
  }

  private checkChain(ref: ChainRef, tagText: string, path: Path, site: Site): void {
    const where = `in ${q(short(tagText))}`;
    if (ref.hyphenated !== undefined) {
      // `inputs.parameters.my-param` is `inputs.parameters.my` minus `param` to the expression language.
      const segments = [...ref.segments.slice(0, -1), ref.hyphenated];
      const fixed = `${ref.segments.slice(0, -1).join(".")}['${ref.hyphenated}']`;
      const written = `${ref.text}${ref.hyphenated.slice(ref.segments.at(-1)!.length)}`;
      this.report(
        "error",
        path,
        `${q(written)} ${where} reads as a subtraction in an expression; write ${q(fixed)}`,
      );
      const v = this.scope.judge(segments, site, false);
      if (!v.ok) this.report(v.severity, path, `${q(fixed)} ${where}: ${v.message}`);
      return;
    }
    const v = this.scope.judge(ref.segments, site, false);
    if (!v.ok) this.report(v.severity, path, `${q(ref.text)} ${where}: ${v.message}`);
  }

  private report(severity: "error" | "warning", path: Path, message: string): void {
    this.ctx.report.add(severity, "variable", path, message, false);
  }
}

/** A long expression tag shortened for messages. */
function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...}}` : text;
}
