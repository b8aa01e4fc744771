/**
 * A host process has no container file system, so the process runtime gives each node a sandbox
 * directory `<nodeDir>/root` and maps the absolute paths the step declares into it:
 *
 * - Declared paths are: output parameter and artifact paths, input artifact paths, volume mount
 *   paths and `workingDir`, plus the directory holding each declared file (so `cd /tmp && echo > x`
 *   is mapped too), except system directories (/, /bin, /usr, /etc, ...).
 * - A declared path P (or anything below it) written in the command, args, script source or env
 *   values becomes `<root>P`, where it stands as a whole path (`/tmp/x` in `echo > /tmp/x`, not in
 *   `/var/tmp/x`). Paths the step computes at run time are not seen.
 * - Volume mounts are symlinks `<root><mountPath>` -> the volume's directory; input artifacts are
 *   placed at `<root><path>`; the executor reads outputs at `<root><path>` (StepDescription.root).
 * - TMPDIR points at `<root>/tmp`, the default working directory is `<root>`.
 *
 * So parallel steps writing `/tmp/hello_world.txt` each write their own file.
 */
import type { RunSpec } from "../../engine/actions.ts";

/** Directories never mapped as parents of a declared path. */
const SYSTEM_DIRS = new Set([
  "/",
  "/bin",
  "/sbin",
  "/usr",
  "/usr/bin",
  "/usr/sbin",
  "/usr/local",
  "/usr/local/bin",
  "/usr/lib",
  "/lib",
  "/lib64",
  "/etc",
  "/dev",
  "/proc",
  "/sys",
  "/var",
  "/opt",
  "/home",
  "/root",
  "/run",
  "/srv",
  "/mnt",
]);

/** The path mapping of one node. */
export class Sandbox {
  /** Mapped prefixes, longest first. */
  readonly prefixes: string[];
  #pattern: RegExp | undefined;

  constructor(readonly root: string, declared: string[]) {
    const set = new Set<string>();
    for (const p of declared) {
      const clean = normalizePath(p);
      if (!clean.startsWith("/") || SYSTEM_DIRS.has(clean)) continue;
      set.add(clean);
    }
    this.prefixes = [...set].sort((a, b) => b.length - a.length);
    if (this.prefixes.length > 0) {
      // A prefix counts where it starts a path (not inside another word or path) and ends at a path boundary.
      const alt = this.prefixes.map(escapeRegExp).join("|");
      this.#pattern = new RegExp(`(^|[^A-Za-z0-9_.~/$})-])(${alt})(?=$|[^A-Za-z0-9_.-])`, "g");
    }
  }

  /** Where container path `path` is on the host. */
  map(path: string): string {
    return `${this.root}${normalizePath(path).replace(/^\/$/, "")}`;
  }

  /** `text` with every declared path replaced by its place in the sandbox. */
  rewrite(text: string): string {
    if (!this.#pattern) return text;
    return text.replace(this.#pattern, (_m, before: string, path: string) => `${before}${this.root}${path}`);
  }
}

/** The sandbox of `run` rooted at `root`. */
export function sandboxFor(run: RunSpec, root: string): Sandbox {
  const files = [
    ...run.outputs.parameters.map((p) => p.path),
    ...run.outputs.artifacts.map((a) => a.path),
    ...run.inputArtifacts.map((a) => a.path),
  ];
  const dirs = [
    ...run.main.volumeMounts.map((m) => m.mountPath),
    ...(run.main.workingDir ? [run.main.workingDir] : []),
  ];
  return new Sandbox(root, [...files, ...files.map(parentOf), ...dirs]);
}

function normalizePath(p: string): string {
  const n = p.replace(/\/+/g, "/");
  return n.length > 1 ? n.replace(/\/$/, "") : n;
}

function parentOf(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf("/");
  return i <= 0 ? "/" : n.slice(0, i);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
