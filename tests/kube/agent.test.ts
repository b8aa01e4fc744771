/**
 * The pod agent outside a pod: `init` copies the executor tree and writes raw input artifacts;
 * `wait` reports the executor's result as a WorkflowTaskResult (create, or patch when it exists),
 * and gives up once `main` has ended without one. The executor bundle runs in a busybox-like root
 * through the copied loader (as in a user's image).
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { init, wait } from "../../controller/kube/agent.ts";
import { ApiError, type KubeClient, type KubeObject } from "../../controller/kube/client.ts";
import type { TaskResult } from "../../controller/kube/taskresult.ts";

const who = { namespace: "ns", workflowName: "wf", workflowUid: "u", nodeId: "wf-1", podName: "wf-t-1" };

/** A client that records task result writes and answers pod reads. */
function fakeClient(opts: { exists?: boolean; mainEnded?: boolean } = {}) {
  const writes: [string, unknown][] = [];
  const client = {
    create(_r: unknown, _ns: string, obj: TaskResult) {
      writes.push(["create", obj]);
      if (opts.exists) return Promise.reject(new ApiError(409, "AlreadyExists", "exists"));
      return Promise.resolve(obj);
    },
    patch(_r: unknown, _ns: string, name: string, type: string, body: unknown) {
      writes.push([`patch ${type} ${name}`, body]);
      return Promise.resolve({} as KubeObject);
    },
    get() {
      return Promise.resolve({
        metadata: { name: who.podName },
        spec: { containers: [] },
        status: {
          containerStatuses: [{
            name: "main",
            state: opts.mainEnded ? { terminated: { exitCode: 137 } } : { running: {} },
          }],
        },
      });
    },
  };
  return { client: client as unknown as KubeClient, writes };
}

Deno.test("agent init: copies the executor onto the shared volume and writes raw input artifacts", async () => {
  const src = await Deno.makeTempDir();
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${src}/bin`);
  await Deno.writeTextFile(`${src}/bin/tool`, "#!/bin/sh\n", { mode: 0o755 });
  await Deno.writeTextFile(`${src}/executor.js`, "// js");
  const env: Record<string, string> = {
    SKIFF_EXECUTOR_SRC: src,
    SKIFF_VAR_RUN_ARGO: root,
    SKIFF_INPUT_ARTIFACTS: JSON.stringify([{ name: "msg", data: "hello" }]),
  };
  await init((n) => env[n]);
  equal(await Deno.readTextFile(`${root}/skiff/executor.js`), "// js");
  ok(((await Deno.stat(`${root}/skiff/bin/tool`)).mode! & 0o111) !== 0, "executables stay executable");
  equal(await Deno.readTextFile(`${root}/inputs/artifacts/msg`), "hello");
  ok((await Deno.stat(`${root}/outputs/artifacts`)).isDirectory);
  await Deno.remove(src, { recursive: true });
  await Deno.remove(root, { recursive: true });
});

Deno.test("agent wait: reports the executor's result once it appears; patches a report that exists", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/result.json`;
  const { client, writes } = fakeClient({ exists: true });
  setTimeout(() =>
    Deno.writeTextFileSync(
      file,
      JSON.stringify({
        phase: "Succeeded",
        exitCode: 0,
        result: "hi",
        stdout: "hi\n",
        parameters: { p: "v" },
        artifacts: {},
        finishedAt: "2026-01-01T00:00:00Z",
      }),
    ), 100);
  equal(await wait({ client, who, resultFile: file, pollMs: 20, log: () => {} }), true);
  equal(writes[0]![0], "create");
  equal(writes[1]![0], "patch merge wf-1");
  const body = writes[1]![1] as TaskResult;
  equal(body.phase, "Succeeded");
  deepEqual(body.outputs, { exitCode: "0", result: "hi", parameters: [{ name: "p", value: "v" }] });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("agent wait: main ended without a result (killed): it stops waiting and reports nothing", async () => {
  const dir = await Deno.makeTempDir();
  const { client, writes } = fakeClient({ mainEnded: true });
  const t0 = Date.now();
  equal(
    await wait({ client, who, resultFile: `${dir}/none.json`, pollMs: 20, podCheckMs: 10, log: () => {} }),
    false,
  );
  ok(Date.now() - t0 < 6000);
  deepEqual(writes, []);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name:
    "agent: the executor bundle runs in a bare busybox root through the copied loader, as in a user's image",
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
      // the user's image: busybox only, no glibc
      await Deno.mkdir(`${root}/bin`, { recursive: true });
      await Deno.mkdir(`${root}/tmp`);
      await Deno.copyFile("/bin/busybox", `${root}/bin/busybox`);
      await Deno.symlink("busybox", `${root}/bin/sh`);
      // as in any container: /dev/null (the executor's command gets it as stdin)
      await Deno.mkdir(`${root}/dev`);
      const mknod = await new Deno.Command("mknod", {
        args: ["-m", "666", `${root}/dev/null`, "c", "1", "3"],
      }).output();
      equal(mknod.code, 0);
      await init((n) =>
        ({ SKIFF_EXECUTOR_SRC: `${out}/skiff`, SKIFF_VAR_RUN_ARGO: `${root}/var/run/argo` } as Record<
          string,
          string
        >)[n]
      );
      const step = JSON.stringify({
        command: ["sh", "-c", "echo from the user image; echo 42 > /tmp/answer"],
        outputs: { parameters: [{ name: "answer", path: "/tmp/answer" }] },
        resultFile: "/var/run/argo/result.json",
      });
      const r = await new Deno.Command("/usr/sbin/chroot", {
        args: [
          root,
          "/var/run/argo/skiff/lib/ld.so",
          "--library-path",
          "/var/run/argo/skiff/lib",
          "/var/run/argo/skiff/bin/deno",
          "run",
          "-A",
          "--no-config",
          "--no-lock",
          "--quiet",
          "/var/run/argo/skiff/executor.js",
        ],
        env: { PATH: "/bin", SKIFF_STEP: step, DENO_DIR: "/var/run/argo/deno", DENO_NO_UPDATE_CHECK: "1" },
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
