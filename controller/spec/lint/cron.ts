/**
 * CronWorkflows: `schedule` (or `schedules`, not both) holds standard five-field cron expressions
 * or descriptors (@hourly, @every 5m, ...); concurrencyPolicy is Allow, Forbid or Replace;
 * startingDeadlineSeconds is not negative; timezone is an IANA zone name.
 */
import type { Path } from "../load.ts";
import type { RuleContext } from "./context.ts";
import { isGoDuration } from "./durations.ts";
import { asList, asRecord, asText, closest, hasTag, present, q } from "./util.ts";

const POLICIES = ["Allow", "Forbid", "Replace"];
const DESCRIPTORS = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  { name: "day of week", min: 0, max: 6, names: DAYS },
];

/** Checks a CronWorkflow's schedules, concurrencyPolicy, startingDeadlineSeconds and time zone. */
export function checkCron(ctx: RuleContext): void {
  if (ctx.wf.kind !== "CronWorkflow") return;
  const spec = asRecord(asRecord(ctx.wf.doc.value)?.spec);
  if (spec === undefined) return;
  const single = asText(spec.schedule);
  const many = asList(spec.schedules);
  if (present(spec.schedule) && many.length > 0) {
    ctx.report.errorAtKey(
      "cron",
      ["spec", "schedules"],
      `CronWorkflow sets both schedule and schedules; keep only one`,
    );
  } else if ((single === undefined || single === "") && many.length === 0 && !present(spec.schedules)) {
    ctx.report.errorAtKey(
      "cron",
      present(spec.schedule) ? ["spec", "schedule"] : ["spec"],
      `CronWorkflow has no schedule; add e.g. 'schedules: ["0 * * * *"]' under spec`,
    );
  }
  if (single !== undefined && single !== "") checkSchedule(ctx, ["spec", "schedule"], single);
  many.forEach((s, i) => {
    const text = asText(s);
    if (text !== undefined) checkSchedule(ctx, ["spec", "schedules", i], text);
  });
  const policy = asText(spec.concurrencyPolicy);
  if (policy !== undefined && policy !== "" && !POLICIES.includes(policy)) {
    const near = closest(policy, POLICIES);
    ctx.report.error(
      "cron",
      ["spec", "concurrencyPolicy"],
      `concurrencyPolicy ${q(policy)} is not valid; ${
        near ? `did you mean ${q(near)}?` : `use one of ${POLICIES.join(", ")}`
      }`,
    );
  }
  const deadline = spec.startingDeadlineSeconds;
  if (typeof deadline === "number" && deadline < 0) {
    ctx.report.error(
      "cron",
      ["spec", "startingDeadlineSeconds"],
      `startingDeadlineSeconds must not be negative`,
    );
  }
  const tz = asText(spec.timezone);
  if (tz !== undefined && tz !== "" && !validZone(tz)) {
    ctx.report.warn(
      "cron",
      ["spec", "timezone"],
      `timezone ${q(tz)} is not a known IANA time zone (e.g. "Europe/Paris")`,
    );
  }
}

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function checkSchedule(ctx: RuleContext, path: Path, schedule: string): void {
  if (hasTag(schedule)) return;
  const problem = cronProblem(schedule);
  if (problem === undefined) return;
  ctx.report.error(
    "cron",
    path,
    `schedule ${q(schedule)} is not a valid cron expression: ${problem}; ` +
      `write five fields "minute hour day-of-month month day-of-week" (e.g. "*/5 * * * *") or a descriptor like "@hourly"`,
  );
}

/** What is wrong with a cron expression as robfig/cron's standard parser reads it, if anything. */
export function cronProblem(schedule: string): string | undefined {
  let s = schedule.trim();
  const tz = /^(CRON_TZ|TZ)=(\S+)\s+/.exec(s);
  if (tz) {
    if (!validZone(tz[2]!)) return `unknown time zone ${q(tz[2]!)}`;
    s = s.slice(tz[0].length);
  }
  if (s.startsWith("@")) {
    if (s.startsWith("@every ")) {
      const d = s.slice(7).trim();
      return isGoDuration(d) ? undefined : `${q(d)} is not a duration`;
    }
    return DESCRIPTORS.includes(s) ? undefined : `unknown descriptor ${q(s)}`;
  }
  const fields = s.split(/\s+/);
  if (fields.length !== 5) return `it has ${fields.length} field${fields.length === 1 ? "" : "s"}, not 5`;
  for (let i = 0; i < 5; i++) {
    const problem = fieldProblem(fields[i]!, FIELDS[i]!);
    if (problem) return problem;
  }
  return undefined;
}

function fieldProblem(field: string, spec: typeof FIELDS[number]): string | undefined {
  for (const part of field.split(",")) {
    const [range, step, extra] = part.split("/");
    if (extra !== undefined || range === undefined || range === "") return `bad ${spec.name} ${q(field)}`;
    if (step !== undefined && !/^\d+$/.test(step)) return `bad step ${q(step)} in ${spec.name}`;
    if (range === "*" || range === "?") continue;
    const bounds = range.split("-");
    if (bounds.length > 2) return `bad ${spec.name} ${q(field)}`;
    for (const b of bounds) {
      const n = /^\d+$/.test(b) ? Number(b) : spec.names?.indexOf(b.toLowerCase()) ?? -1;
      const value = /^\d+$/.test(b) ? n : spec.names === MONTHS ? n + 1 : n;
      if (n < 0 || value < spec.min || value > spec.max) {
        return `${spec.name} ${q(b)} is out of range ${spec.min}-${spec.max}`;
      }
    }
  }
  return undefined;
}
