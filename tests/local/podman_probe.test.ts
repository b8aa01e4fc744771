/**
 * Podman's probe kept across runs of skiff (podman_probe_cache.ts): a second skiff starts one
 * container to prove the flags found before, not the whole probe; flags that stopped working are
 * probed for again.
 */
import assert from "node:assert/strict";
import { probePodman } from "../../controller/local/runtime/podman_cli.ts";
import { ensureTestImage, podmanSkipReason, TEST_IMAGE } from "./podman_env.ts";

Deno.test({
  name: "podman's probe is kept across runs: one container proves the flags; stale ones are probed again",
  ignore: podmanSkipReason !== undefined,
}, async () => {
  await ensureTestImage();
  const dir = await Deno.makeTempDir({ prefix: "skiff-probe-cache-" });
  const log = `${dir}/calls`;
  // podman, its calls written down.
  const bin = `${dir}/podman`;
  await Deno.writeTextFile(bin, `#!/bin/sh\necho "$*" >> '${log}'\nexec podman "$@"\n`, { mode: 0o755 });
  const calls = async () => {
    const text = await Deno.readTextFile(log).catch(() => "");
    await Deno.remove(log).catch(() => {});
    return text.split("\n").filter(Boolean);
  };
  const cacheFile = `${dir}/cache/podman-probe.json`;

  const first = await probePodman({ bin, image: TEST_IMAGE, dataDir: `${dir}/one`, cacheFile });
  assert.ok((await calls()).length >= 4, "a first run probes in full");
  const kept = JSON.parse(await Deno.readTextFile(cacheFile));
  assert.deepEqual(kept.record.globalArgs, first.globalArgs);

  const second = await probePodman({ bin, image: TEST_IMAGE, dataDir: `${dir}/two`, cacheFile });
  const proof = [
    ...first.globalArgs,
    "run",
    "--rm",
    "--pull=never",
    "--network=none",
    ...first.containerArgs,
    TEST_IMAGE,
    "true",
  ];
  assert.deepEqual(await calls(), [proof.join(" ")]);
  assert.deepEqual([second.globalArgs, second.containerArgs], [first.globalArgs, first.containerArgs]);
  assert.match(second.notes.at(-1)!, /^as found before \(.*podman-probe\.json\)$/);
  if (first.env.CONTAINERS_CONF) {
    // The rlimits' containers.conf is written anew in this run's data dir.
    assert.equal(second.env.CONTAINERS_CONF, `${dir}/two/podman/containers.conf`);
    assert.equal(
      await Deno.readTextFile(second.env.CONTAINERS_CONF),
      await Deno.readTextFile(first.env.CONTAINERS_CONF),
    );
  }

  // Flags that no longer work (as after podman's runtime was removed): probed again, and replaced.
  kept.record.globalArgs = ["--runtime", "skiff-no-such-runtime"];
  await Deno.writeTextFile(cacheFile, JSON.stringify(kept));
  const third = await probePodman({ bin, image: TEST_IMAGE, dataDir: `${dir}/three`, cacheFile });
  assert.deepEqual(third.globalArgs, first.globalArgs);
  assert.ok((await calls()).length >= 4, "flags that failed are probed for in full");
  assert.deepEqual(JSON.parse(await Deno.readTextFile(cacheFile)).record.globalArgs, first.globalArgs);
});
