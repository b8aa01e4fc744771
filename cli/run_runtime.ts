/**
 * Choosing `skiff run`'s runtime and checking its images before anything starts: with podman,
 * every image the workflow names (after `--image-map`) must be on this machine or pullable. A
 * missing one is named, with the `--image-map` rule that would replace it by a local image; with
 * `--runtime auto` the run then falls back to the process runtime, saying why.
 */
import {
  createRuntime,
  defaultMaxSteps,
  type ImageMap,
  imageRepository,
  normalizeImage,
} from "../controller/local/runtime/mod.ts";
import type { Runtime, RuntimeKind } from "../controller/local/runtime/mod.ts";
import { CliError } from "./errors.ts";

/** The runtime a run uses, and one line saying why. */
export interface ChosenRuntime {
  runtime: Runtime;
  kind: "podman" | "process";
  reason: string;
}

/** Options of {@link chooseRuntime}. */
export interface ChooseOptions {
  kind: RuntimeKind;
  dataDir: string;
  images: ImageMap;
  /** Whether the user gave `--image-map` (the hint differs). */
  mapGiven: boolean;
  /** The workflow's images, as written. */
  workflowImages: string[];
  /** Progress notes (e.g. "pulling ..."). */
  note: (line: string) => void;
  warn: (line: string) => void;
  /** `--max-steps`: the limit on steps running at once (see {@link parseMaxSteps}). */
  maxSteps?: number;
}

/** A run that cannot start, with the reason for the user. */
export class RunSetupError extends Error {
  override name = "RunSetupError";
}

/**
 * Reads `--max-steps N` (of `skiff run` and `skiff server`: steps running at once; more wait,
 * Pending). Throws CliError (a usage error) saying what is wrong with the value.
 */
export function parseMaxSteps(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new CliError(
      `--max-steps must be a whole number of at least 1 (steps running at once), not "${text}"; ` +
        `leave it out for the default, ${defaultMaxSteps()} on this machine (4 per core)`,
    );
  }
  return n;
}

/** Picks and creates the runtime; throws RunSetupError when `--runtime podman` cannot run the workflow. */
export async function chooseRuntime(opts: ChooseOptions): Promise<ChosenRuntime> {
  const processRuntime = async (reason: string): Promise<ChosenRuntime> => {
    const { runtime } = await createRuntime({
      kind: "process",
      dataDir: opts.dataDir,
      warn: opts.warn,
      ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    });
    return { runtime, kind: "process", reason };
  };
  if (opts.kind === "process") return await processRuntime("process runtime (--runtime process)");

  const version = await podmanVersion();
  if (version === undefined) {
    const why = "podman is not installed (apt-get install -y podman runc, or use --runtime process)";
    if (opts.kind === "podman") throw new RunSetupError(`--runtime podman: ${why}`);
    return await processRuntime(`process runtime: ${why}`);
  }

  const missing = await missingImages(opts);
  if (missing.length > 0) {
    const text = await missingImagesText(missing, opts);
    if (opts.kind === "podman") throw new RunSetupError(`podman cannot run this workflow:\n${text}`);
    return await processRuntime(`process runtime, because podman cannot run this workflow:\n${text}`);
  }

  const probeImage = opts.workflowImages.length > 0
    ? opts.images.resolve(opts.workflowImages[0]!)
    : opts.images.resolve("busybox:latest");
  const choice = await createRuntime({
    kind: opts.kind,
    dataDir: opts.dataDir,
    images: opts.images,
    probeImage,
    warn: opts.warn,
    ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
  });
  const reason = opts.kind === "auto" && choice.runtime.kind === "podman"
    ? `podman runtime: ${choice.reason}`
    : choice.reason;
  return { runtime: choice.runtime, kind: choice.runtime.kind, reason };
}

interface Missing {
  image: string;
  resolved: string;
  why: string;
}

/** The workflow's images that podman has not and cannot pull. */
async function missingImages(opts: ChooseOptions): Promise<Missing[]> {
  const missing: Missing[] = [];
  const checked = new Map<string, string | undefined>();
  for (const image of opts.workflowImages) {
    const resolved = opts.images.resolve(image);
    if (!checked.has(resolved)) {
      let why: string | undefined;
      if (!(await podman(["image", "exists", resolved])).ok) {
        opts.note(`skiff: image ${resolved} is not on this machine; pulling it`);
        const pulled = await podman(["pull", "-q", resolved]);
        if (!pulled.ok) why = lastLine(pulled.stderr);
      }
      checked.set(resolved, why);
    }
    const why = checked.get(resolved);
    if (why !== undefined) missing.push({ image, resolved, why });
  }
  return missing;
}

async function missingImagesText(missing: Missing[], opts: ChooseOptions): Promise<string> {
  const local = await localImages();
  const target = local.find((i) => i.startsWith("localhost/skiff-test")) ?? local[0];
  const lines: string[] = [];
  for (const m of missing) {
    const mapped = normalizeImage(m.image) !== normalizeImage(m.resolved) ? ` (mapped to ${m.resolved})` : "";
    lines.push(`  image ${m.image}${mapped} is not on this machine and cannot be pulled: ${m.why}`);
  }
  const example = missing.map((m) =>
    `${shortName(m.image)}=${(target ?? "<local image>").replace(/:latest$/, "")}`
  )
    .filter((v, i, a) => a.indexOf(v) === i).join(",");
  lines.push(
    opts.mapGiven
      ? `  fix --image-map so that it maps ${
        missing.length === 1 ? "it" : "them"
      } to an image this machine has, e.g. --image-map '${example}'`
      : `  map ${
        missing.length === 1 ? "it" : "them"
      } to an image this machine has: --image-map '${example}'`,
  );
  lines.push(
    local.length > 0
      ? `  (images here: ${local.slice(0, 5).join(", ")}${
        local.length > 5 ? ", ..." : ""
      }; see podman images)`
      : "  (podman has no images here: build one, e.g. bash tests/images/build.sh, or use --runtime process)",
  );
  return lines.join("\n");
}

/** `docker/whalesay:latest` -> `docker/whalesay`; other tags are kept. */
function shortName(image: string): string {
  const n = normalizeImage(image);
  return n.endsWith(":latest") ? imageRepository(n) : n;
}

async function localImages(): Promise<string[]> {
  const r = await podman(["images", "--format", "{{.Repository}}:{{.Tag}}"]);
  if (!r.ok) return [];
  return r.stdout.split("\n").map((l) => l.trim())
    .filter((l) => l !== "" && !l.includes("podman-pause") && !l.startsWith("<none>"));
}

async function podmanVersion(): Promise<string | undefined> {
  const r = await podman(["--version"]);
  return r.ok ? r.stdout.trim() : undefined;
}

async function podman(args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const out = await new Deno.Command("podman", { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
    const d = new TextDecoder();
    return { ok: out.success, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  } catch (e) {
    return { ok: false, stdout: "", stderr: e instanceof Error ? e.message : String(e) };
  }
}

function lastLine(s: string): string {
  return s.split("\n").filter((l) => l.trim() !== "").at(-1)?.trim() ?? "no output";
}
