/** Formatting of times, durations and phases for display (pure: no DOM). */

/** `1h 2m`, `3m 4s`, `5s`; `-` for an unknown duration. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "-";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** How long something started at `start` ran (until `end`, or until `now` while it runs). */
export function durationOf(
  start: string | undefined,
  end: string | undefined,
  now = Date.now(),
): number | undefined {
  if (!start) return undefined;
  const a = Date.parse(start);
  const b = end ? Date.parse(end) : now;
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : Math.max(0, b - a);
}

/** `5s ago`, `3m ago`, `2h ago`, else the date. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = now - t;
  if (d < 0) return "just now";
  if (d < 48 * 3600 * 1000) return `${formatDuration(d)} ago`;
  return new Date(t).toISOString().slice(0, 16).replace("T", " ");
}

/** A timestamp as `YYYY-MM-DD HH:MM:SS` (UTC) with the age. */
export function formatTime(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace("T", " ")} UTC (${formatAge(iso, now)})`;
}

/** The phases a workflow or node can be in, as filters show them. */
export const PHASES = ["Pending", "Running", "Succeeded", "Failed", "Error"] as const;

/** The phase's name for CSS (`phase-running`); empty is Pending. */
export function phaseClass(phase: string | undefined): string {
  return `phase-${(phase || "Pending").toLowerCase()}`;
}

/** A one-character mark of a phase, for lists (color comes from CSS). */
export function phaseIcon(phase: string | undefined): string {
  switch (phase) {
    case "Succeeded":
      return "✔";
    case "Failed":
    case "Error":
      return "✖";
    case "Running":
      return "●";
    case "Skipped":
    case "Omitted":
      return "–";
    default:
      return "○";
  }
}

/** Is the phase final? */
export function isFinal(phase: string | undefined): boolean {
  return phase === "Succeeded" || phase === "Failed" || phase === "Error" || phase === "Skipped" ||
    phase === "Omitted";
}
