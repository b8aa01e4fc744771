/**
 * Retries: `retryStrategy.retryPolicy` is one of Always, OnFailure, OnError, OnTransientError;
 * `limit` is a whole number (or a string of one, or a `{{...}}` tag); `backoff.duration` and
 * `backoff.maxDuration` are durations and `backoff.factor` a number. Checked on templates, on the
 * workflow spec and on templateDefaults.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { checkDurationText, isIntString } from "./durations.ts";
import { asRecord, asText, closest, hasTag, q } from "./util.ts";

const RETRY_POLICIES = ["Always", "OnFailure", "OnError", "OnTransientError"];

/** Checks every retryStrategy of a document. */
export function checkRetries(ctx: RuleContext): void {
  const { wf } = ctx;
  checkRetryStrategy(ctx, [...wf.specPath, "retryStrategy"], wf.spec.retryStrategy, "the workflow");
  const defaults = asRecord(wf.spec.templateDefaults);
  checkRetryStrategy(
    ctx,
    [...wf.specPath, "templateDefaults", "retryStrategy"],
    defaults?.retryStrategy,
    "templateDefaults",
  );
  for (const t of wf.allTemplates) {
    checkRetryStrategy(ctx, [...t.path, "retryStrategy"], t.value.retryStrategy, t.label);
  }
}

function checkRetryStrategy(ctx: RuleContext, path: Path, raw: unknown, owner: string): void {
  const r = asRecord(raw);
  if (r === undefined) return;
  const policy = asText(r.retryPolicy);
  if (policy !== undefined && policy !== "" && !hasTag(policy) && !RETRY_POLICIES.includes(policy)) {
    const near = closest(policy, RETRY_POLICIES);
    const fix = near !== undefined ? `did you mean ${q(near)}?` : `use one of ${RETRY_POLICIES.join(", ")}`;
    ctx.report.error(
      "retry",
      [...path, "retryPolicy"],
      `retryPolicy of ${owner} is ${q(policy)}, which is not valid; ${fix}`,
    );
  }
  checkCount(ctx, [...path, "limit"], r.limit, `retry limit of ${owner}`);
  const backoff = asRecord(r.backoff);
  if (backoff) {
    const p = [...path, "backoff"];
    checkDurationText(
      ctx,
      [...p, "duration"],
      backoff.duration,
      `backoff duration of ${owner}`,
      "seconds-or-duration",
    );
    checkDurationText(
      ctx,
      [...p, "maxDuration"],
      backoff.maxDuration,
      `backoff maxDuration of ${owner}`,
      "seconds-or-duration",
    );
    const factor = backoff.factor;
    if (typeof factor === "string" && !hasTag(factor) && !Number.isFinite(Number(factor.trim() || "x"))) {
      ctx.report.error(
        "retry",
        [...p, "factor"],
        `backoff factor of ${owner} is ${q(factor)}, which is not a number; write e.g. 2`,
      );
    }
  }
}

/** IntOrString holding a count: a whole number, a string of one, or a tag. */
function checkCount(ctx: RuleContext, path: Path, value: unknown, what: string): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      ctx.report.error("retry", path, `${what} must be a whole number, not ${value}`);
    }
  } else if (typeof value === "string" && !hasTag(value) && !isIntString(value.trim())) {
    ctx.report.error(
      "retry",
      path,
      `${what} is ${q(value)}, which is not a whole number; write e.g. 3 (or a {{...}} variable)`,
    );
  }
}
