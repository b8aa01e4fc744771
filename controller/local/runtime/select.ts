/**
 * Choosing a runtime: `--runtime podman|process|auto`. `auto` takes podman when a test container
 * starts (a probe that also finds the flags podman needs here), else the process runtime, and says why.
 */
import type { ImageEntrypoint } from "../../engine/images.ts";
import { ImageMap } from "../../engine/images.ts";
import type { Runtime } from "./mod.ts";
import { PodmanRuntime } from "./podman.ts";
import { probePodman } from "./podman_cli.ts";
import { ProcessRuntime } from "./process.ts";
import type { LocalResources } from "./resources.ts";

/** What `--runtime` accepts. */
export type RuntimeKind = "auto" | "podman" | "process";

/** The chosen runtime and why it was chosen. */
export interface RuntimeChoice {
  runtime: Runtime;
  /** One line for the user, e.g. "podman 4.3.1, rlimits nofile=1024, nproc=1024" or why podman was not used. */
  reason: string;
}

/** Options of `createRuntime`. */
export interface CreateRuntimeOptions {
  kind: RuntimeKind;
  dataDir: string;
  images?: ImageMap;
  entrypoints?: Record<string, ImageEntrypoint>;
  graceSeconds?: number;
  /** Image for auto's test container (default: what the image map makes of busybox). */
  probeImage?: string;
  /** podman pods' network. */
  network?: string;
  /** Secrets and ConfigMaps for the steps (more can be added later through `runtime.resources`). */
  resources?: LocalResources;
  /** The limit on steps running at once (`--max-steps`; default: 4 per core). */
  maxSteps?: number;
  warn?: (message: string) => void;
}

/** Creates the runtime `kind` names; `auto` probes podman first. */
export async function createRuntime(opts: CreateRuntimeOptions): Promise<RuntimeChoice> {
  const images = opts.images ?? new ImageMap();
  const common = {
    dataDir: opts.dataDir,
    ...(opts.entrypoints ? { entrypoints: opts.entrypoints } : {}),
    ...(opts.graceSeconds !== undefined ? { graceSeconds: opts.graceSeconds } : {}),
    ...(opts.warn ? { warn: opts.warn } : {}),
    ...(opts.resources ? { resources: opts.resources } : {}),
  };
  const processRuntime = () =>
    new ProcessRuntime({ ...common, ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}) });
  if (opts.kind === "process") {
    return { runtime: processRuntime(), reason: "process runtime (--runtime process)" };
  }
  const podmanRuntime = (setup?: Awaited<ReturnType<typeof probePodman>>) =>
    new PodmanRuntime({
      ...common,
      images,
      ...(opts.network ? { network: opts.network } : {}),
      ...(setup ? { setup } : {}),
      ...(opts.maxSteps !== undefined ? { maxSteps: opts.maxSteps } : {}),
    });
  if (opts.kind === "podman") {
    return { runtime: podmanRuntime(), reason: "podman runtime (--runtime podman)" };
  }

  const probeImage = opts.probeImage ?? images.resolve("busybox:latest");
  try {
    const setup = await probePodman({ image: probeImage, dataDir: opts.dataDir });
    return { runtime: podmanRuntime(setup), reason: setup.notes.join("; ") };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { runtime: processRuntime(), reason: `process runtime: ${why}` };
  }
}
