/**
 * Podman for tests: present or not (tests are skipped, saying why, only where podman is absent),
 * and the local test image, built by tests/images/build.sh when missing.
 */
import { ImageMap } from "../../controller/engine/images.ts";
import { type PodmanSetup, probePodman } from "../../controller/local/runtime/podman_cli.ts";

export const TEST_IMAGE = "localhost/skiff-test:latest";

/** Every workflow image becomes the local test image, as on a machine with no registry. */
export const testImages = new ImageMap(`*=${TEST_IMAGE}`);

function podmanPresent(): boolean {
  try {
    return new Deno.Command("podman", { args: ["--version"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** Why podman tests are skipped, or undefined when they run. */
export const podmanSkipReason: string | undefined = podmanPresent()
  ? undefined
  : "podman is not installed (bash tests/images/setup-podman.sh installs it)";

if (podmanSkipReason) console.log(`SKIPPED podman tests: ${podmanSkipReason}`);

let imageReady: Promise<void> | undefined;

/** Builds the test image once if it is missing (cached by podman between runs). */
export function ensureTestImage(): Promise<void> {
  imageReady ??= (async () => {
    const exists = await new Deno.Command("podman", { args: ["image", "exists", TEST_IMAGE] }).output();
    if (exists.success) return;
    const script = new URL("../images/build.sh", import.meta.url).pathname;
    const r = await new Deno.Command("bash", { args: [script], stdout: "inherit", stderr: "inherit" })
      .output();
    if (!r.success) {
      throw new Error(`tests/images/build.sh failed (exit ${r.code}): cannot build ${TEST_IMAGE}`);
    }
  })();
  return imageReady;
}

let setup: Promise<PodmanSetup> | undefined;

/** Podman's flags for this machine, probed once for all tests (after the image exists). */
export function testSetup(): Promise<PodmanSetup> {
  setup ??= (async () => {
    await ensureTestImage();
    const dataDir = await Deno.makeTempDir({ prefix: "skiff-podman-probe-" });
    return await probePodman({ image: TEST_IMAGE, dataDir });
  })();
  return setup;
}
