/**
 * Lifecycle hooks: every hook other than `exit` needs an `expression` saying when it runs.
 * (Their templates are checked in references.ts.)
 */
import type { RuleContext } from "./context.ts";
import { present, q } from "./util.ts";

/** Checks that every hook but `exit` has an expression. */
export function checkHooks(ctx: RuleContext): void {
  const { wf } = ctx;
  for (const h of [...wf.hooks, ...wf.callers.flatMap((c) => c.hooks)]) {
    if (h.event === "exit" || (present(h.value.expression) && h.value.expression !== "")) continue;
    const label = h.owner ? `hook ${q(h.event)} of ${h.owner.label}` : `workflow hook ${q(h.event)}`;
    ctx.report.errorAtKey(
      "hook",
      h.path,
      `${label} has no expression; add "expression:" saying when it runs ` +
        `(e.g. 'expression: workflow.status == "Running"'), or name it "exit" to run at the end`,
    );
  }
}
