/**
 * A stopped container's output files, as the executor's collection reads them (OutputFiles).
 *
 * `podman cp` costs ~300 ms a file here (it mounts the container's storage each time), and a step
 * with output parameters reads one file per parameter. So where podman can mount the container's
 * file system for this process (`podman mount`: as root; rootless podman refuses outside `podman
 * unshare`), it is mounted once, at the first parameter, and the files are read from there. The
 * mount goes with the container (`podman rm`), or is undone by `release()`.
 *
 * The mounted tree is the container's image and what it wrote, not what was mounted into it: a
 * path at or under a mount of the container (its volumes, the image's own VOLUMEs, the script,
 * input artifacts, as `podman inspect` lists them, and what podman mounts itself: /etc/hosts,
 * /proc, ...) is copied with `podman cp`, which sees them. A path is resolved
 * inside the tree, following its symbolic links as the container would (an absolute link from the
 * container's root, `..` never above it), so that a link cannot make this process read a file of
 * the host. (`podman cp` follows a link inside the container too, but not into a volume: a link to
 * a file in a volume was "not found".) Output artifacts are still copied with `podman cp`.
 */
import type { OutputFiles } from "../../../executor/mod.ts";
import { podman, type PodmanSetup } from "./podman_cli.ts";

/** Paths podman mounts into every container itself. */
const PODMAN_MOUNTS = [
  "/proc",
  "/sys",
  "/dev",
  "/run/secrets",
  "/run/.containerenv",
  "/etc/hosts",
  "/etc/hostname",
  "/etc/resolv.conf",
  "/run/podman-init",
];

/** Setups of podman that refused `podman mount` (rootless): not asked again. */
const mountRefused = new WeakSet<PodmanSetup>();

/** Symbolic links followed at most in one path (Linux's limit). */
const MAX_LINKS = 40;

/** Output files of a container that ended. */
export interface ContainerFiles extends OutputFiles {
  /** Undoes the mount, if there is one (not needed before the container is removed). */
  release(): Promise<void>;
}

/** Output files of container `name`, copied below `scratch` when copied. */
export function containerFiles(setup: PodmanSetup, name: string, scratch: string): ContainerFiles {
  let root: Promise<{ tree: string; mounts: string[] } | undefined> | undefined;
  const copy = async (path: string, dest: string): Promise<boolean> => {
    await Deno.mkdir(dest.slice(0, dest.lastIndexOf("/")) || "/", { recursive: true });
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    const r = await podman(setup, ["cp", `${name}:${path}`, dest]);
    if (r.code === 0) return true;
    if (/could not be found|no such file or directory/i.test(r.stderr)) return false;
    throw new Error(r.stderr.replace(/^Error: /, ""));
  };
  const copyText = async (path: string): Promise<string | undefined> => {
    const dest = `${scratch}/${path.replace(/^\/+/, "")}`;
    if (!(await copy(path, dest))) return undefined;
    if ((await Deno.stat(dest)).isDirectory) throw new Error(`${path} is a directory`);
    return await Deno.readTextFile(dest);
  };
  return {
    async readText(path) {
      root ??= mountRoot(setup, name);
      const mounted = await root;
      const found = mounted === undefined
        ? { copy: path }
        : resolveInTree(mounted.tree, path, mounted.mounts);
      if (found === undefined) return undefined;
      if ("copy" in found) return await copyText(found.copy);
      if ((await Deno.stat(found.file)).isDirectory) throw new Error(`${path} is a directory`);
      return await Deno.readTextFile(found.file);
    },
    save: copy,
    async release() {
      if (root !== undefined && (await root) !== undefined) await podman(setup, ["umount", name]);
    },
  };
}

/**
 * The host path of the container's mounted file system and the paths mounted into the container;
 * undefined when podman cannot mount it here.
 */
async function mountRoot(
  setup: PodmanSetup,
  name: string,
): Promise<{ tree: string; mounts: string[] } | undefined> {
  if (mountRefused.has(setup)) return undefined;
  const [mounted, listed] = await Promise.all([
    podman(setup, ["mount", name]),
    podman(setup, ["container", "inspect", "--format", "{{range .Mounts}}{{.Destination}}\n{{end}}", name]),
  ]);
  const tree = mounted.stdout.trim();
  if (mounted.code !== 0 && /rootless/i.test(mounted.stderr)) mountRefused.add(setup);
  if (mounted.code !== 0 || !tree.startsWith("/") || listed.code !== 0) return undefined;
  const mounts = [...PODMAN_MOUNTS, ...listed.stdout.split("\n").filter((m) => m.startsWith("/"))];
  return { tree, mounts: mounts.map((m) => m.replace(/\/+$/, "") || "/") };
}

/**
 * Where container path `path` is in the container's file system mounted at `tree`, its symbolic
 * links followed inside the tree: `file`, a path on this host; `copy`, the container path it leads
 * to, when that reaches one of `mounts` (which the tree does not hold); undefined when nothing is
 * there.
 */
export function resolveInTree(
  tree: string,
  path: string,
  mounts: readonly string[],
): { file: string } | { copy: string } | undefined {
  const rest = path.split("/").filter((p) => p !== "" && p !== ".");
  const at: string[] = [];
  let links = 0;
  const isMounted = (p: string) => mounts.some((m) => p === m || p.startsWith(`${m}/`));
  while (rest.length > 0) {
    const part = rest.shift()!;
    if (part === "..") {
      at.pop();
      continue;
    }
    const inContainer = `/${[...at, part].join("/")}`;
    if (isMounted(inContainer)) return { copy: [inContainer, ...rest].join("/") };
    let info: Deno.FileInfo;
    try {
      info = Deno.lstatSync(`${tree}${inContainer}`);
    } catch {
      // A mount point the tree lacks (podman makes it only in the container)?
      const whole = [inContainer, ...rest].join("/");
      return isMounted(whole) ? { copy: whole } : undefined;
    }
    if (info.isSymlink) {
      if (++links > MAX_LINKS) throw new Error(`${path}: too many levels of symbolic links`);
      const target = Deno.readLinkSync(`${tree}${inContainer}`);
      if (target.startsWith("/")) at.length = 0;
      rest.unshift(...target.split("/").filter((p) => p !== "" && p !== "."));
      continue;
    }
    if (rest.length > 0 && !info.isDirectory) return undefined;
    at.push(part);
  }
  return { file: `${tree}/${at.join("/")}` };
}
