/**
 * Durations: `suspend.duration` is seconds ("20") or a Go duration ("1m30s"); template `timeout`
 * and `memoize.maxAge` are Go durations (Argo refuses a bare number of seconds for timeout);
 * `activeDeadlineSeconds` is a whole number of seconds (a template's may also be a string of one,
 * or a `{{...}}` tag). Backoff durations are checked in retry.ts with the same helpers.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { asRecord, hasTag, q } from "./util.ts";

const GO_DURATION = /^[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/;

/** A Go `time.ParseDuration` string, e.g. "300ms", "1h30m"; "0" too. */
export function isGoDuration(s: string): boolean {
  return GO_DURATION.test(s) || /^[-+]?0$/.test(s);
}

/** A whole number as Go's strconv.Atoi reads it. */
export function isIntString(s: string): boolean {
  return /^[-+]?\d+$/.test(s);
}

/** Argo's "seconds or duration" (suspend, backoff): "20", "20s", "1m30s". */
export function isSecondsOrDuration(s: string): boolean {
  return isIntString(s) || isGoDuration(s);
}

/** Reports a string that is not a duration of the given form; tags are only known at run time. */
export function checkDurationText(
  ctx: RuleContext,
  path: Path,
  value: unknown,
  what: string,
  form: "seconds-or-duration" | "duration",
): void {
  if (typeof value !== "string" || hasTag(value)) return;
  if (form === "duration" && isIntString(value)) {
    ctx.report.error(
      "duration",
      path,
      `${what} is ${q(value)}, which has no unit; write a duration such as ${
        q(`${value.replace(/^\+/, "")}s`)
      }`,
    );
    return;
  }
  const ok = form === "duration" ? isGoDuration(value) : isSecondsOrDuration(value);
  if (ok) return;
  const examples = form === "duration" ? `"30s", "5m" or "1h30m"` : `"30" (seconds), "30s", "5m" or "1h30m"`;
  ctx.report.error(
    "duration",
    path,
    `${what} is ${q(value)}, which is not a duration; write e.g. ${examples}`,
  );
}

/** A whole number of seconds: a number, or (where Argo takes IntOrString) a string of one or a tag. */
export function checkSeconds(
  ctx: RuleContext,
  path: Path,
  value: unknown,
  what: string,
  intOrString: boolean,
): void {
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) {
      ctx.report.error(
        "duration",
        path,
        `${what} must be a whole number of seconds, 0 or more, not ${value}`,
      );
    }
    return;
  }
  if (!intOrString || typeof value !== "string" || hasTag(value)) return;
  if (!isIntString(value.trim()) || Number(value) < 0) {
    ctx.report.error(
      "duration",
      path,
      `${what} is ${
        q(value)
      }, which is not a whole number of seconds; write e.g. 300 (or a {{...}} variable)`,
    );
  }
}

/** Checks timeouts, suspend durations, memoize maxAge and activeDeadlineSeconds everywhere in a document. */
export function checkDurations(ctx: RuleContext): void {
  const { wf } = ctx;
  checkSeconds(
    ctx,
    [...wf.specPath, "activeDeadlineSeconds"],
    wf.spec.activeDeadlineSeconds,
    "activeDeadlineSeconds",
    false,
  );
  const defaults = asRecord(wf.spec.templateDefaults);
  if (defaults) {
    const p = [...wf.specPath, "templateDefaults"];
    checkSeconds(
      ctx,
      [...p, "activeDeadlineSeconds"],
      defaults.activeDeadlineSeconds,
      "activeDeadlineSeconds",
      true,
    );
    checkDurationText(ctx, [...p, "timeout"], defaults.timeout, "timeout", "duration");
  }
  for (const t of wf.allTemplates) {
    const v = t.value;
    checkSeconds(
      ctx,
      [...t.path, "activeDeadlineSeconds"],
      v.activeDeadlineSeconds,
      `activeDeadlineSeconds of ${t.label}`,
      true,
    );
    checkDurationText(ctx, [...t.path, "timeout"], v.timeout, `timeout of ${t.label}`, "duration");
    const suspend = asRecord(v.suspend);
    if (suspend) {
      checkDurationText(
        ctx,
        [...t.path, "suspend", "duration"],
        suspend.duration,
        `suspend duration of ${t.label}`,
        "seconds-or-duration",
      );
    }
    const memoize = asRecord(v.memoize);
    if (memoize) {
      checkDurationText(
        ctx,
        [...t.path, "memoize", "maxAge"],
        memoize.maxAge,
        `memoize maxAge of ${t.label}`,
        "duration",
      );
    }
  }
}
