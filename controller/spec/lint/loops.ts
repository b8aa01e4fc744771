/**
 * Loops: a step or task loops over at most one of withItems, withParam and withSequence; a
 * withSequence has `count` or `end` (not both), and its numbers are whole (or `{{...}}` tags).
 */
import type { RuleContext } from "./context.ts";
import { isIntString } from "./durations.ts";
import { asRecord, hasTag, present, q } from "./util.ts";

const LOOP_KEYS = ["withItems", "withParam", "withSequence"] as const;

/** Checks the loops of every step and task. */
export function checkLoops(ctx: RuleContext): void {
  for (const c of ctx.wf.callers) {
    const used = LOOP_KEYS.filter((k) => present(c.value[k]));
    if (used.length > 1) {
      ctx.report.errorAtKey(
        "loop",
        [...c.path, used[1]!],
        `${c.label} sets both ${used[0]} and ${used[1]}; a step or task loops over only one of ` +
          `withItems, withParam, withSequence`,
      );
    }
    const seq = asRecord(c.value.withSequence);
    if (seq === undefined) continue;
    const path = [...c.path, "withSequence"];
    if (present(seq.count) && present(seq.end)) {
      ctx.report.errorAtKey(
        "loop",
        [...path, "end"],
        `withSequence of ${c.label} sets both count and end; keep only one`,
      );
    } else if (!present(seq.count) && !present(seq.end)) {
      ctx.report.errorAtKey(
        "loop",
        path,
        `withSequence of ${c.label} has neither count nor end; set "count:" (or "start:" and "end:")`,
      );
    }
    for (const key of ["count", "start", "end"]) {
      const v = seq[key];
      const bad = typeof v === "number"
        ? !Number.isInteger(v)
        : typeof v === "string" && !hasTag(v) && !isIntString(v.trim());
      if (bad) {
        ctx.report.error(
          "loop",
          [...path, key],
          `withSequence ${key} of ${c.label} is ${q(v)}, which is not a whole number; ` +
            `write e.g. 5 (or a {{...}} variable)`,
        );
      }
    }
  }
}
