/** How the process runtime maps a step's absolute paths into its sandbox directory. */
import assert from "node:assert/strict";
import { Sandbox, sandboxFor } from "../../controller/local/runtime/sandbox.ts";
import { runSpec } from "./helpers.ts";

Deno.test("declared paths and their directories are mapped where they stand as whole paths", () => {
  const box = new Sandbox("/data/n1/root", ["/tmp/hello_world.txt", "/tmp", "/mnt/out"]);
  assert.equal(box.rewrite("echo hi > /tmp/hello_world.txt"), "echo hi > /data/n1/root/tmp/hello_world.txt");
  assert.equal(
    box.rewrite("cd /tmp && ls '/mnt/out/x'"),
    "cd /data/n1/root/tmp && ls '/data/n1/root/mnt/out/x'",
  );
  assert.equal(box.rewrite('open("/tmp/a.txt")'), 'open("/data/n1/root/tmp/a.txt")');
  // Not inside other paths, words or variables.
  assert.equal(
    box.rewrite("/var/tmp/x /tmpfile $HOME/tmp ${D}/tmp"),
    "/var/tmp/x /tmpfile $HOME/tmp ${D}/tmp",
  );
  assert.equal(box.map("/tmp/x"), "/data/n1/root/tmp/x");
});

Deno.test("system directories are never mapped, even as parents of declared files", () => {
  const run = runSpec("wf", {
    outputs: { parameters: [{ name: "p", path: "/etc/out.txt" }], artifacts: [] },
    main: { workingDir: "/src", volumeMounts: [{ name: "v", mountPath: "/mnt/vol" }] },
  });
  const box = sandboxFor(run, "/r");
  assert.deepEqual(box.prefixes.sort(), ["/etc/out.txt", "/mnt/vol", "/src"]);
  assert.equal(box.rewrite("cat /etc/passwd > /etc/out.txt"), "cat /etc/passwd > /r/etc/out.txt");
});
