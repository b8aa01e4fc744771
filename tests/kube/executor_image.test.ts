/**
 * The executor image's tree (deploy/executor-rootfs.sh, what Dockerfile.executor builds) running a
 * pod's programs as buildPod describes them, outside a cluster: `init`'s command (the image's
 * executor with `--fetch-inputs`) installs the executor onto the shared volume and writes the raw
 * input artifact; then `main`'s command runs the user's command through the copied loader in a bare
 * busybox root (as in a user's image: no glibc), chrooted.
 */
import { deepEqual, equal } from "node:assert/strict";
import { defaultConfig } from "../../controller/kube/config.ts";
import { buildPod, inputsOf, stepOf } from "../../controller/kube/pods.ts";
import { runSpec } from "../local/helpers.ts";

Deno.test({
  name: "executor image: init's command installs the executor, which runs the step in a bare busybox root",
  ignore: Deno.build.os !== "linux" || !(await exists("/bin/busybox")) || Deno.uid?.() !== 0,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "skiff-rootfs-" });
    const root = await Deno.makeTempDir({ prefix: "skiff-userimage-" });
    try {
      const build = await new Deno.Command("sh", {
        args: [new URL("../../deploy/executor-rootfs.sh", import.meta.url).pathname, out],
        cwd: new URL("../../", import.meta.url).pathname,
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(build.code, 0, new TextDecoder().decode(build.stderr));
      const pod = buildPod(
        runSpec("img", {
          main: {
            image: "busybox",
            command: [
              "sh",
              "-c",
              "echo from the user image; cat /var/run/argo/inputs/artifacts/msg > /tmp/answer",
            ],
          },
          inputArtifacts: [{ name: "msg", path: "/tmp/msg", from: { raw: "42" } }],
          outputs: { parameters: [{ name: "answer", path: "/tmp/answer" }], artifacts: [] },
        }),
        { config: defaultConfig(), workflowUid: "u", now: 0 },
      );

      // init: the image's /skiff is `out`/skiff here, the pod's /var/run/argo is below `root`
      const init = pod.spec.initContainers!.find((c) => c.name === "init")!;
      const inImage = (p: string) => p.replace(/^\/skiff\b/, `${out}/skiff`);
      const inRoot = (p: string) => `${root}${p}`;
      const inputs = inputsOf(pod)!;
      const desc = {
        ...inputs,
        install: { from: inImage(inputs.install!.from), to: inRoot(inputs.install!.to) },
        dirs: inputs.dirs!.map(inRoot),
        artifactDir: inRoot(inputs.artifactDir),
        messageFile: `${out}/termination-log`,
      };
      const [program, ...args] = [...init.command!, ...init.args!].map(inImage);
      const fetched = await new Deno.Command(program!, {
        args,
        env: { SKIFF_INPUTS: JSON.stringify(desc), DENO_DIR: `${out}/deno`, DENO_NO_UPDATE_CHECK: "1" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(fetched.code, 0, new TextDecoder().decode(fetched.stderr));

      // the user's image: busybox only, no glibc
      await Deno.mkdir(`${root}/bin`, { recursive: true });
      await Deno.mkdir(`${root}/tmp`);
      await Deno.copyFile("/bin/busybox", `${root}/bin/busybox`);
      await Deno.symlink("busybox", `${root}/bin/sh`);
      await Deno.symlink("busybox", `${root}/bin/cat`);
      // as in any container: /dev/null (the executor's command gets it as stdin)
      await Deno.mkdir(`${root}/dev`);
      const mknod = await new Deno.Command("mknod", {
        args: ["-m", "666", `${root}/dev/null`, "c", "1", "3"],
      }).output();
      equal(mknod.code, 0);
      const main = pod.spec.containers.find((c) => c.name === "main")!;
      const r = await new Deno.Command("/usr/sbin/chroot", {
        args: [root, ...main.command!],
        env: {
          PATH: "/bin",
          SKIFF_STEP: JSON.stringify(stepOf(pod)),
          DENO_DIR: "/var/run/argo/deno",
          DENO_NO_UPDATE_CHECK: "1",
        },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      equal(r.code, 0, new TextDecoder().decode(r.stderr));
      equal(new TextDecoder().decode(r.stdout), "from the user image\n");
      const result = JSON.parse(await Deno.readTextFile(`${root}/var/run/argo/result.json`));
      equal(result.phase, "Succeeded");
      deepEqual(result.parameters, { answer: "42" });
    } finally {
      await Deno.remove(out, { recursive: true }).catch(() => {});
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});

async function exists(p: string): Promise<boolean> {
  return await Deno.stat(p).then(() => true, () => false);
}
