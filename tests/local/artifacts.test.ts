/**
 * Input artifacts on both runtimes: another step's file or directory kept as it was (a file stays a
 * file, a directory a directory, whatever `archive` said), a part of it (`subPath`), its `mode`, an
 * `http` location, and a clear error for locations that need an artifact repository.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import type { Runtime } from "../../controller/local/runtime/mod.ts";
import { podmanSkipReason, testImages, testSetup } from "./podman_env.ts";
import { runSpec, wfName } from "./helpers.ts";

async function runtimeOf(kind: "process" | "podman"): Promise<Runtime> {
  const dataDir = await Deno.makeTempDir({ prefix: `skiff-art-${kind}-` });
  return kind === "process"
    ? new ProcessRuntime({ dataDir, graceSeconds: 2, warn: () => {} })
    : new PodmanRuntime({ dataDir, images: testImages, graceSeconds: 2, setup: await testSetup() });
}

for (const kind of ["process", "podman"] as const) {
  const ignore = kind === "podman" && podmanSkipReason !== undefined;

  Deno.test({
    name: `${kind}: a file artifact stays a file, a directory a directory; subPath, mode and http inputs`,
    ignore,
  }, async () => {
    const rt = await runtimeOf(kind);
    const wf = wfName("art");
    const server = Deno.serve(
      { port: 0, hostname: "127.0.0.1", onListen: () => {} },
      () => new Response("from http\n"),
    );
    try {
      const write = runSpec(wf, {
        main: {
          image: "busybox",
          command: [
            "sh",
            "-c",
            "echo one > /tmp/one.txt; mkdir -p /tmp/dir/sub; echo two > /tmp/dir/sub/two.txt",
          ],
        },
        outputs: {
          parameters: [],
          artifacts: [{ name: "file", path: "/tmp/one.txt" }, { name: "dir", path: "/tmp/dir" }, {
            name: "absent",
            path: "/tmp/absent",
            optional: true,
          }],
        },
      });
      await rt.start(write);
      const w = await rt.wait(write.nodeId);
      assert.equal(w.phase, "Succeeded", w.message ?? "");
      assert.deepEqual(Object.keys(w.artifacts ?? {}).sort(), ["dir", "file"]);

      // An http artifact is downloaded by the host before the step starts.
      const host = "127.0.0.1";
      const read = runSpec(wf, {
        main: {
          image: "busybox",
          command: [
            "sh",
            "-c",
            "test -f /in/file && test -d /in/dir && cat /in/file /in/dir/sub/two.txt /in/two.txt /in/page; stat -c %a /in/file",
          ],
        },
        inputArtifacts: [
          { name: "file", path: "/in/file", from: { nodeId: write.nodeId, artifact: "file" }, mode: 0o600 },
          { name: "dir", path: "/in/dir", from: { nodeId: write.nodeId, artifact: "dir" } },
          {
            name: "part",
            path: "/in/two.txt",
            from: { nodeId: write.nodeId, artifact: "dir", subPath: "sub/two.txt" },
          },
          {
            name: "page",
            path: "/in/page",
            from: { location: { http: { url: `http://${host}:${server.addr.port}/page` } } },
          },
        ],
      });
      await rt.start(read);
      const r = await rt.wait(read.nodeId);
      assert.equal(r.phase, "Succeeded", r.message ?? "");
      assert.equal(r.stdout, "one\ntwo\ntwo\nfrom http\n600\n");

      const s3 = runSpec(wf, {
        main: { image: "busybox", command: ["cat", "/in/x"] },
        inputArtifacts: [{ name: "x", path: "/in/x", from: { location: { s3: { key: "a/b.tgz" } } } }],
      });
      await rt.start(s3);
      const e = await rt.wait(s3.nodeId);
      assert.equal(e.phase, "Error");
      assert.match(e.message ?? "", /^input artifact "x": s3 artifacts need an artifact repository/);
    } finally {
      await server.shutdown();
      await rt.cleanup({ namespace: "default", name: wf });
    }
  });
}
