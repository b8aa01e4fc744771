/**
 * Times and durations as Argo's CLI prints them (argoproj/pkg humanize): `10 seconds`,
 * `1 minute 5 seconds`, short forms `5s`, `3m`, `2h`, `1d`, and timestamps
 * `Mon Jan 02 15:04:05 +0000 (10 seconds ago)`.
 */

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** A duration in words: `10 seconds`, `1 minute 5 seconds`, `2 hours 3 minutes`, `1 day 2 hours`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return plural(s, "second");
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${plural(m, "minute")} ${plural(s % 60, "second")}` : plural(m, "minute");
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${plural(h, "hour")} ${plural(m % 60, "minute")}` : plural(h, "hour");
  const d = Math.floor(h / 24);
  return h % 24 ? `${plural(d, "day")} ${plural(h % 24, "hour")}` : plural(d, "day");
}

/** A short duration: `5s`, `3m`, `2h`, `1d` (the largest whole unit). */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s >= 86400) return `${Math.floor(s / 86400)}d`;
  if (s >= 3600) return `${Math.floor(s / 3600)}h`;
  if (s >= 60) return `${Math.floor(s / 60)}m`;
  return `${s}s`;
}

/** The short duration from `start` to `end` (now when not given); "" without a start. */
export function relativeShort(
  start: string | null | undefined,
  end?: string | null,
  now = Date.now(),
): string {
  if (!start) return "";
  return shortDuration((end ? Date.parse(end) : now) - Date.parse(start));
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Go's `Mon Jan 02 15:04:05 -0700` in local time. */
export function goTime(iso: string): string {
  const d = new Date(iso);
  const off = -d.getTimezoneOffset();
  const zone = `${off >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${zone}`;
}

/** `Mon Jan 02 15:04:05 +0000 (10 seconds ago)`. */
export function timestamp(iso: string, now = Date.now()): string {
  return `${goTime(iso)} (${duration(now - Date.parse(iso))} ago)`;
}

/** Go's default time format, as `argo wait` prints it: `2024-01-02 15:04:05 +0000 UTC`. */
export function goDefaultTime(iso: string): string {
  const d = new Date(iso);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000 UTC`;
}

/** Parses `30s`, `5m`, `2h`, `1d`, `1h30m` into milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === text.length && text.length > 0 ? total : undefined;
}
