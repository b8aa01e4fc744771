/**
 * Images on a machine without a registry, and entrypoints without image metadata (both hosts: the
 * local runtimes, and the Kubernetes host's pods, whose controller reads no image metadata either).
 *
 * - The image map replaces a workflow's image by a local one: `docker/whalesay=localhost/skiff-test`,
 *   patterns `python:*=localhost/skiff-test`, a catch-all `*=localhost/skiff-test`. Exact rules win
 *   over patterns; among patterns the first written wins.
 * - The entrypoint table says what an image runs when a template gives no `command`, like Argo's
 *   `images:` configuration (`docker/whalesay:latest: {cmd: [cowsay]}`). The process runtime needs it
 *   for every image; the podman runtime only for an image it replaced by a mapped one (the real
 *   image's ENTRYPOINT/CMD is not there to read).
 */

/** One `from=to` rule of an image map. */
export interface ImageRule {
  from: string;
  to: string;
}

/** What an image runs by default: ENTRYPOINT (`command`) and CMD (`args`). */
export interface ImageEntrypoint {
  command?: string[];
  args?: string[];
}

/** Parses rules written `from=to`, separated by commas, semicolons or newlines. */
export function parseImageRules(text: string): ImageRule[] {
  const rules: ImageRule[] = [];
  for (const part of text.split(/[,;\n]/).map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0 || eq === part.length - 1) {
      throw new Error(
        `image map: "${part}" is not of the form image=replacement (e.g. python:*=localhost/skiff-test)`,
      );
    }
    rules.push({ from: part.slice(0, eq).trim(), to: part.slice(eq + 1).trim() });
  }
  return rules;
}

/**
 * A reference in one canonical form: no `docker.io/` or `library/` prefix, `:latest` when it has
 * neither tag nor digest. `busybox`, `docker.io/library/busybox:latest` -> `busybox:latest`.
 */
export function normalizeImage(ref: string): string {
  let r = ref.trim();
  r = r.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "");
  r = r.replace(/^library\//, "");
  const lastSlash = r.lastIndexOf("/");
  const name = r.slice(lastSlash + 1);
  if (!name.includes(":") && !name.includes("@")) r += ":latest";
  return r;
}

/** The repository part of a reference (no tag or digest). */
export function imageRepository(ref: string): string {
  const n = normalizeImage(ref);
  const at = n.indexOf("@");
  const base = at >= 0 ? n.slice(0, at) : n;
  const lastSlash = base.lastIndexOf("/");
  const colon = base.lastIndexOf(":");
  return colon > lastSlash ? base.slice(0, colon) : base;
}

/** Does `pattern` (with `*` wildcards; without a tag it matches every tag) match `image`? */
export function imageMatches(pattern: string, image: string): boolean {
  const img = normalizeImage(image);
  if (!pattern.includes("*")) {
    const p = pattern.trim();
    const hasTag = /[:@][^/]*$/.test(p);
    return hasTag ? normalizeImage(p) === img : imageRepository(p) === imageRepository(img);
  }
  const p = pattern.trim().replace(/^(docker\.io)\//, "").replace(/^library\//, "");
  const re = new RegExp("^" + p.split("*").map(escapeRegExp).join(".*") + "$");
  return re.test(img) || re.test(imageRepository(img)) || re.test(image.trim());
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Maps workflow images to the images this machine has. */
export class ImageMap {
  readonly rules: ImageRule[];
  constructor(rules: ImageRule[] | string = []) {
    this.rules = typeof rules === "string" ? parseImageRules(rules) : rules;
  }

  /** The image to run for `image` (itself when no rule matches). */
  resolve(image: string): string {
    const exact = this.rules.find((r) => !r.from.includes("*") && imageMatches(r.from, image));
    if (exact) return exact.to;
    const pattern = this.rules.find((r) => r.from.includes("*") && imageMatches(r.from, image));
    return pattern ? pattern.to : image;
  }

  /** True when `image` is replaced by another one. */
  replaces(image: string): boolean {
    return normalizeImage(this.resolve(image)) !== normalizeImage(image);
  }
}

/**
 * Entrypoints of images Argo's examples use, so they run with no `command` where image metadata is
 * not at hand. Keys are matched as in the image map (a key without a tag matches every tag).
 */
export const DEFAULT_ENTRYPOINTS: Record<string, ImageEntrypoint> = {
  "docker/whalesay": { command: ["cowsay"] },
  "argoproj/argosay": { command: ["/argosay"] },
  "python": { command: ["python3"] },
  "node": { command: ["node"] },
  "alpine": { args: ["/bin/sh"] },
  "busybox": { args: ["sh"] },
  "debian": { args: ["bash"] },
  "ubuntu": { args: ["bash"] },
  "bash": { command: ["bash"] },
};

/** Looks `image` up in an entrypoint table (exact keys first, then patterns). */
export function lookupEntrypoint<T = ImageEntrypoint>(
  table: Record<string, T>,
  image: string,
): T | undefined {
  const keys = Object.keys(table);
  const exact = keys.find((k) => !k.includes("*") && imageMatches(k, image));
  if (exact) return table[exact];
  const pattern = keys.find((k) => k.includes("*") && imageMatches(k, image));
  return pattern ? table[pattern] : undefined;
}

/**
 * Kubernetes' rule for what runs: `command` replaces ENTRYPOINT, `args` replaces CMD; a `command`
 * without `args` runs without the image's CMD.
 */
export function effectiveArgv(
  spec: { command?: string[] | undefined; args?: string[] | undefined },
  image: ImageEntrypoint | undefined,
): string[] {
  if (spec.command !== undefined && spec.command.length > 0) return [...spec.command, ...(spec.args ?? [])];
  return [...(image?.command ?? []), ...(spec.args ?? image?.args ?? [])];
}

/**
 * One entry of Argo's `images:` configuration (the controller's ConfigMap): what an image runs when
 * a template gives no `command`: `entrypoint` is its ENTRYPOINT, `cmd` its CMD.
 */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
}

/** An entrypoint table in the words of Argo's `images:` configuration. */
export function imageConfigsOf(table: Record<string, ImageEntrypoint>): Record<string, ImageConfig> {
  return Object.fromEntries(
    Object.entries(table).map(([k, e]) => [k, {
      ...(e.command ? { entrypoint: [...e.command] } : {}),
      ...(e.args ? { cmd: [...e.args] } : {}),
    }]),
  );
}

/**
 * The argv a container runs ({@link effectiveArgv}) with its image looked up in an `images:` table;
 * undefined when nothing is known to run (no command, no args, the image not in the table).
 */
export function configuredArgv(
  spec: { command?: string[] | undefined; args?: string[] | undefined },
  table: Record<string, ImageConfig>,
  image: string,
): string[] | undefined {
  const c = lookupEntrypoint(table, image);
  const argv = effectiveArgv(spec, {
    ...(c?.entrypoint ? { command: c.entrypoint } : {}),
    ...(c?.cmd ? { args: c.cmd } : {}),
  });
  return argv.length > 0 ? argv : undefined;
}
