/**
 * CronWorkflow schedules as Argo reads them (robfig/cron's standard parser): five fields
 * `minute hour day-of-month month day-of-week` (names, ranges, steps, `?`; day of month OR day of
 * week when both are restricted), the descriptors `@yearly` `@annually` `@monthly` `@weekly` `@daily`
 * `@midnight` `@hourly`, `@every <Go duration>` (whole seconds, at least 1s, counted from the last
 * run), and a `CRON_TZ=<zone>` / `TZ=<zone>` prefix. `spec.timezone` applies to every schedule; with
 * neither, the machine's time zone. Calendar arithmetic (time zones included) is croner's.
 *
 * Known difference from robfig/cron (and Argo's docs on daylight saving): a schedule of one fixed
 * time of day (`0 2 * * *`) whose time falls in the gap of a daylight-saving change runs at the first
 * time after the gap (robfig skips that day), and when the time occurs twice it runs once (robfig
 * runs it twice). Schedules with steps or wildcards in the hour or minute behave as robfig's.
 */
import { Cron } from "croner";
import { parseGoDuration } from "./time.ts";
import type { CronWorkflowSpec } from "../spec/types.ts";

/** One schedule of a CronWorkflow. */
export interface Schedule {
  /** As Argo writes it, with the time zone: `CRON_TZ=Europe/Paris 0 * * * *`. */
  readonly text: string;
  /** The first time strictly after `after` the schedule fires; undefined when it never does. */
  next(after: Date): Date | undefined;
  /** The latest time in (`after`, `upTo`] the schedule fires; undefined when there is none. */
  latest(after: Date, upTo: Date): Date | undefined;
}

/** `schedules`, or the deprecated `schedule`, each with the spec's time zone prefixed (Argo's GetSchedulesWithTimezone). */
export function schedulesOf(spec: Pick<CronWorkflowSpec, "schedule" | "schedules" | "timezone">): string[] {
  const list = spec.schedule ? [spec.schedule] : spec.schedules ?? [];
  return list.map((s) => (spec.timezone ? `CRON_TZ=${spec.timezone} ${s}` : s));
}

/** Parses one schedule; throws an Error naming the schedule when it is not valid. */
export function parseSchedule(text: string): Schedule {
  let rest = text.trim();
  let timezone: string | undefined;
  for (let m; (m = /^(?:CRON_TZ|TZ)=(\S+)\s+/.exec(rest)) !== null;) {
    timezone = m[1];
    rest = rest.slice(m[0].length);
  }
  try {
    if (rest.startsWith("@every ")) return everySchedule(text, rest.slice(7).trim());
    return calendarSchedule(text, rest, timezone);
  } catch (e) {
    throw new Error(`schedule "${text}": ${e instanceof Error ? e.message : e}`);
  }
}

/** `@every d`: robfig's ConstantDelaySchedule (whole seconds, at least one). */
function everySchedule(text: string, duration: string): Schedule {
  const ms = parseGoDuration(duration);
  const delay = Math.max(1000, ms - (ms % 1000));
  const next = (after: Date) => new Date(Math.floor(after.getTime() / 1000) * 1000 + delay);
  return {
    text,
    next,
    latest(after, upTo) {
      const first = next(after).getTime();
      if (first > upTo.getTime()) return undefined;
      return new Date(first + Math.floor((upTo.getTime() - first) / delay) * delay);
    },
  };
}

function calendarSchedule(text: string, fields: string, timezone: string | undefined): Schedule {
  const cron = new Cron(fields, {
    paused: true,
    mode: "5-part",
    domAndDow: false,
    ...(timezone ? { timezone } : {}),
  });
  cron.nextRun(new Date()); // an unknown time zone fails here, not at the first tick
  return {
    text,
    next: (after) => cron.nextRun(after) ?? undefined,
    latest(after, upTo) {
      const [t] = cron.previousRuns(1, new Date(upTo.getTime() + 1));
      return t !== undefined && t.getTime() > after.getTime() ? t : undefined;
    },
  };
}
