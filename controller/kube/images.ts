/**
 * What an image runs when a template gives no `command`: the controller does not read image
 * metadata from registries, so the ConfigMap's `images` table says it (as Argo's `images:`
 * configuration): `entrypoint` is the image's ENTRYPOINT, `cmd` its CMD. A key without a tag matches
 * every tag of the image; `docker.io/` and `library/` prefixes do not matter.
 */

/** One image's defaults. */
export interface ImageDefaults {
  entrypoint?: string[];
  cmd?: string[];
}

/** A reference in one form: no `docker.io/` or `library/` prefix, `:latest` when it has no tag or digest. */
export function normalizeImage(ref: string): string {
  let r = ref.trim().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "");
  r = r.replace(/^library\//, "");
  const name = r.slice(r.lastIndexOf("/") + 1);
  if (!name.includes(":") && !name.includes("@")) r += ":latest";
  return r;
}

function repository(ref: string): string {
  const n = normalizeImage(ref);
  const at = n.indexOf("@");
  const base = at >= 0 ? n.slice(0, at) : n;
  const colon = base.lastIndexOf(":");
  return colon > base.lastIndexOf("/") ? base.slice(0, colon) : base;
}

/** The table's entry for `image`: an exact (tagged) key first, then a key naming its repository. */
export function lookupImage(
  table: Record<string, ImageDefaults>,
  image: string,
): ImageDefaults | undefined {
  const keys = Object.keys(table);
  const exact = keys.find((k) => /[:@][^/]*$/.test(k) && normalizeImage(k) === normalizeImage(image));
  if (exact) return table[exact];
  const repo = keys.find((k) => !/[:@][^/]*$/.test(k) && repository(k) === repository(image));
  return repo ? table[repo] : undefined;
}

/**
 * The argv a container runs, by Kubernetes' rule: `command` replaces ENTRYPOINT, `args` replaces CMD
 * (a `command` without `args` drops CMD). An image not in the table is taken to have no ENTRYPOINT
 * (most images: `args` are then the whole command). Undefined when nothing is known to run.
 */
export function containerArgv(
  c: { command?: string[] | undefined; args?: string[] | undefined },
  image: ImageDefaults | undefined,
): string[] | undefined {
  if (c.command && c.command.length > 0) return [...c.command, ...(c.args ?? [])];
  if (!image) return c.args && c.args.length > 0 ? [...c.args] : undefined;
  const argv = [...(image.entrypoint ?? []), ...(c.args ?? image.cmd ?? [])];
  return argv.length > 0 ? argv : undefined;
}
