/**
 * Time as the engine sees it: instants in milliseconds since the epoch, written to the status as
 * RFC 3339 with whole seconds (as Kubernetes' `metav1.Time` does), and Argo's duration strings.
 */

/** Parses an RFC 3339 time to epoch milliseconds; throws on anything else. */
export function parseTime(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`invalid RFC 3339 time '${text}'`);
  return ms;
}

const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** `text` as {@link formatTime} writes it (a time already in that form is returned as it is). */
export function normalizeTime(text: string): string {
  return CANONICAL_TIME.test(text) ? text : formatTime(parseTime(text));
}

/** The last time formatted (a reconcile formats its `now` again and again). */
let lastFormatted = { seconds: NaN, text: "" };

/** Formats epoch milliseconds as `2024-01-02T03:04:05Z` (seconds precision, UTC). */
export function formatTime(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds !== lastFormatted.seconds) {
    lastFormatted = { seconds, text: new Date(seconds * 1000).toISOString().replace(".000Z", "Z") };
  }
  return lastFormatted.text;
}

const goUnits: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Go's `time.ParseDuration` (`1h30m`, `2.5s`, `300ms`, `-1m`) in milliseconds. */
export function parseGoDuration(text: string): number {
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (text === "0") return 0;
  if (!match) throw new Error(`time: invalid duration "${text}"`);
  let total = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * (goUnits[part[2] ?? "s"] ?? 0);
  }
  return match[1] === "-" ? -total : total;
}

/**
 * Argo's `ParseStringToDuration`: a bare integer is seconds, anything else a Go duration.
 * Returns milliseconds.
 */
export function parseArgoDuration(text: string | number): number {
  const s = String(text).trim();
  if (/^[-+]?\d+$/.test(s)) return Number(s) * 1000;
  try {
    return parseGoDuration(s);
  } catch (e) {
    throw new Error(`unable to parse ${s} as a duration: ${(e as Error).message}`);
  }
}

function plural(n: number, unit: string): string {
  return n === 1 ? `1 ${unit}` : `${n} ${unit}s`;
}

/** Argo's `humanize.Duration` (e.g. `2 seconds`, `1 minute 30 seconds`), used in retry backoff messages. */
export function humanizeDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return seconds === 0 ? "0 seconds" : plural(seconds, "second");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${plural(minutes, "minute")} ${seconds % 60} seconds`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${plural(hours, "hour")} ${minutes % 60} minutes`;
  const days = Math.floor(hours / 24);
  return `${plural(days, "day")} ${hours % 24} hours`;
}

/** Seconds between two instants as Go's `%f` prints a float: `12.000000`. */
export function secondsF(fromMs: number, toMs: number): string {
  return ((toMs - fromMs) / 1000).toFixed(6);
}

/** Seconds as Go's `fmt.Sprint(float64)` prints them: `12`, `1.5`. */
export function secondsG(fromMs: number, toMs: number): string {
  return String((toMs - fromMs) / 1000);
}
