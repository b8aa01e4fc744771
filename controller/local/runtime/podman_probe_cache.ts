/**
 * What podman's probe found (podman_cli.ts), kept across runs of skiff in the user's cache
 * directory (`$XDG_CACHE_HOME/skiff`, else `~/.cache/skiff`). The probe starts up to five
 * containers (~1 s here, at every `skiff run`: its data dir is new each time); with what was found
 * before, one container started with those flags proves they still work, and a full probe follows
 * only when it does not.
 *
 * The record is kept for one "machine": the podman program (its path, size and time), the
 * containers.conf files that set its defaults, CONTAINERS_CONF, this process's hard limits and
 * user. When any of these differs, the record is not used (and the next full probe replaces it).
 * A cache that cannot be read or written is no cache: nothing fails because of it.
 */
import { lookPath } from "./common.ts";

/** A probe's outcome, as kept. */
export interface ProbeRecord {
  version: string;
  globalArgs: string[];
  /** The rlimits written to a containers.conf of skiff's (none: podman's defaults work). */
  ulimits?: { nofile: number; nproc: number };
  /** Whether containers run with `--init`. */
  init: boolean;
  notes: string[];
}

/** The cache file; undefined when there is no home or cache directory to keep it in. */
export function probeCacheFile(): string | undefined {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  const home = Deno.env.get("HOME");
  const base = xdg?.startsWith("/") ? xdg : home ? `${home}/.cache` : undefined;
  return base && `${base}/skiff/podman-probe.json`;
}

/** What the probe's outcome depends on (see above), as one string. */
export function probeKey(bin: string, limits: { nofile?: number; nproc?: number }): string {
  const found = lookPath(bin, Deno.env.get("PATH") ?? "", Deno.cwd());
  const program = found === "missing" || found === "denied" ? bin : found;
  const home = Deno.env.get("HOME") ?? "";
  const confs = [
    "/usr/share/containers/containers.conf",
    "/etc/containers/containers.conf",
    `${home}/.config/containers/containers.conf`,
  ];
  return JSON.stringify({
    program,
    stamp: stamp(program),
    confs: confs.map(stamp),
    env: Deno.env.get("CONTAINERS_CONF") ?? "",
    limits,
    uid: Deno.uid(),
  });
}

/** The record kept in `file` for `key`, if any. */
export function readProbe(file: string | undefined, key: string): ProbeRecord | undefined {
  if (!file) return undefined;
  try {
    const kept = JSON.parse(Deno.readTextFileSync(file)) as { key?: unknown; record?: ProbeRecord };
    return kept.key === key && kept.record && Array.isArray(kept.record.globalArgs) ? kept.record : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `record` for `key` in `file` (replacing what was kept). */
export function writeProbe(file: string | undefined, key: string, record: ProbeRecord): void {
  if (!file) return;
  try {
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    const tmp = `${file}.${Deno.pid}.tmp`;
    Deno.writeTextFileSync(tmp, JSON.stringify({ key, record }) + "\n");
    Deno.renameSync(tmp, file);
  } catch {
    // No cache, then.
  }
}

function stamp(path: string): string {
  try {
    const s = Deno.statSync(path);
    return s.isFile ? `${s.size}:${s.mtime?.getTime() ?? 0}` : "-";
  } catch {
    return "-";
  }
}
