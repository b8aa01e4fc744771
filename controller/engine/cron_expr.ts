/**
 * The expressions of a CronWorkflow: `when` (a template: `{{cronworkflow.*}}` tags substituted, `{{= }}`
 * tags evaluated, then govaluate, as Argo's evalWhen) and `stopStrategy.expression` (expr-lang, as
 * Argo's checkStopingCondition), both over `cronworkflow.{name, namespace, labels, annotations,
 * failed, succeeded, lastScheduledTime}`.
 *
 * The expression core takes string variables only, so inside expressions `cronworkflow` is written
 * as a map literal of typed values (`cronworkflow.failed >= 3` compares numbers, `lastScheduledTime`
 * is nil before the first run, else an RFC 3339 string). The core has no clock: `now()` and time
 * arithmetic fail, with a hint saying so.
 */
import type { Expr } from "./expr.ts";
import type { CronWorkflow, CronWorkflowStatus } from "../spec/types.ts";

/** `cronworkflow` as an expr-lang map literal. */
function cronworkflowLiteral(cron: CronWorkflow, status: CronWorkflowStatus): string {
  return `(${
    exprLiteral({
      name: cron.metadata.name ?? "",
      namespace: cron.metadata.namespace ?? "",
      labels: cron.metadata.labels ?? {},
      annotations: cron.metadata.annotations ?? {},
      failed: status.failed ?? 0,
      succeeded: status.succeeded ?? 0,
      lastScheduledTime: status.lastScheduledTime ?? null,
    })
  })`;
}

/** A JSON-like value as expr-lang source, never containing `}}` (so it may stand inside a `{{= }}` tag). */
function exprLiteral(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return JSON.stringify(v).replaceAll("{", "\\u007b").replaceAll("}", "\\u007d");
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(exprLiteral).join(", ")}]`;
  const entries = Object.entries(v as Record<string, unknown>);
  return `{ ${entries.map(([k, x]) => `${exprLiteral(k)}: ${exprLiteral(x)}`).join(", ")} }`;
}

/** Replaces the identifier `cronworkflow` (outside string literals) in an expr-lang expression. */
function bindCronworkflow(expression: string, literal: string): string {
  let out = "";
  for (let i = 0; i < expression.length;) {
    const ch = expression[i]!;
    if (ch === '"' || ch === "'" || ch === "`") {
      let j = i + 1;
      while (j < expression.length && expression[j] !== ch) j += expression[j] === "\\" && ch !== "`" ? 2 : 1;
      out += expression.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (
      expression.startsWith("cronworkflow", i) && !/[\w$.]/.test(expression[i - 1] ?? "") &&
      !/[\w$]/.test(expression[i + 12] ?? "")
    ) {
      out += literal;
      i += 12;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

/** Argo's evalWhen: `{{cronworkflow.*}}` tags substituted, `{{= }}` tags evaluated, then govaluate. */
export function evalCronWhen(cron: CronWorkflow, status: CronWorkflowStatus, expr: Expr): boolean {
  const literal = cronworkflowLiteral(cron, status);
  const when = (cron.spec.when ?? "").replace(
    /\{\{=([\s\S]*?)\}\}/g,
    (_m, body: string) => `{{=${bindCronworkflow(body, literal)}}}`,
  );
  const vars: Record<string, string> = {
    "cronworkflow.name": cron.metadata.name ?? "",
    "cronworkflow.namespace": cron.metadata.namespace ?? "",
    "cronworkflow.failed": String(status.failed ?? 0),
    "cronworkflow.succeeded": String(status.succeeded ?? 0),
    "cronworkflow.lastScheduledTime": status.lastScheduledTime ?? "",
    "cronworkflow.labels.json": JSON.stringify(cron.metadata.labels ?? {}),
    "cronworkflow.annotations.json": JSON.stringify(cron.metadata.annotations ?? {}),
  };
  for (const [k, v] of Object.entries(cron.metadata.labels ?? {})) vars[`cronworkflow.labels.${k}`] = v;
  for (const [k, v] of Object.entries(cron.metadata.annotations ?? {})) {
    vars[`cronworkflow.annotations.${k}`] = v;
  }
  try {
    return expr.evalWhen(when, vars);
  } catch (e) {
    throw new Error(`when "${cron.spec.when}": ${expressionError(e, cron.spec.when ?? "")}`);
  }
}

/** The expression core's message without positions (they are in the rewritten text), with a hint for clock use. */
function expressionError(e: unknown, original: string): string {
  const text = message(e).replace(/ \(\d+:\d+\)/g, "");
  return /\bnow\(\)|\.Seconds\(\)|\bdate\(|\bduration\(/.test(original) && !text.includes("no clock")
    ? `${text} (skiff's expression core has no clock: now(), date() and time arithmetic are not available)`
    : text;
}

/** Argo's checkStopingCondition: `stopStrategy.expression` over `cronworkflow.*`, which must be a boolean. */
export function stopConditionMet(cron: CronWorkflow, status: CronWorkflowStatus, expr: Expr): boolean {
  const expression = cron.spec.stopStrategy?.expression ?? "";
  let value: unknown;
  try {
    value = expr.evalExpr(bindCronworkflow(expression, cronworkflowLiteral(cron, status)));
  } catch (e) {
    throw new Error(`failed to evaluate stop expression "${expression}": ${expressionError(e, expression)}`);
  }
  if (typeof value !== "boolean") {
    throw new Error(`failed to evaluate stop expression: expected bool, but got ${JSON.stringify(value)}`);
  }
  return value;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
