/**
 * `PUT .../retry` over real HTTP on the local host, and the reconcile-duration histogram of
 * /metrics fed by the host.
 */
import assert from "node:assert/strict";
import { phaseOf, withServer } from "./helpers.ts";

type Wf = {
  metadata: { name: string; resourceVersion?: string };
  status?: { phase?: string; nodes?: Record<string, { displayName?: string; phase?: string }> };
};

/** Two steps: `once` appends to marks/once; `flaky` appends to marks/flaky and fails on its first run. */
function flakyWorkflow(name: string, marks: string) {
  return {
    metadata: { name },
    spec: {
      entrypoint: "main",
      arguments: { parameters: [{ name: "msg", value: "first" }] },
      templates: [
        {
          name: "main",
          steps: [[{ name: "once", template: "once" }], [{ name: "flaky", template: "flaky" }]],
        },
        { name: "once", container: { image: "busybox", command: ["sh", "-c", `echo x >> ${marks}/once`] } },
        {
          name: "flaky",
          container: {
            image: "busybox",
            command: [
              "sh",
              "-c",
              `echo x >> ${marks}/flaky; echo {{workflow.parameters.msg}}; [ $(wc -l < ${marks}/flaky) -ge 2 ]`,
            ],
          },
        },
      ],
    },
  };
}

async function lines(path: string): Promise<number> {
  return (await Deno.readTextFile(path).catch(() => "")).split("\n").filter(Boolean).length;
}

Deno.test("PUT retry runs only the failed step again, with -p parameters; a running workflow is refused", async () => {
  await withServer(async (s) => {
    const marks = `${s.dataDir}/marks`;
    await Deno.mkdir(marks);
    await s.api("POST", "/api/v1/workflows/default", { workflow: flakyWorkflow("flaky-http", marks) });
    await phaseOf(s, "flaky-http", "Failed");

    const retried = await s.api<Wf>("PUT", "/api/v1/workflows/default/flaky-http/retry", {
      parameters: ["msg=second"],
    });
    assert.equal(retried.status, 200, JSON.stringify(retried.body));
    assert.equal(retried.body.status?.phase, "Running");
    const again = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/flaky-http/retry", {});
    assert.equal(again.status, 400);
    assert.match(again.body.message, /only finished workflows can be retried/);

    await phaseOf(s, "flaky-http", "Succeeded");
    assert.deepEqual([await lines(`${marks}/once`), await lines(`${marks}/flaky`)], [1, 2]);
    const logs = await (await s.fetch("/api/v1/workflows/default/flaky-http/log?logOptions.container=main"))
      .text();
    assert.match(logs, /"content":"second"/);
    assert.doesNotMatch(logs, /"content":"first"/);

    const bad = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/flaky-http/retry", {
      restartSuccessful: true,
      nodeFieldSelector: "displayName=once",
      parameters: ["no-equals-sign"],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /NAME=VALUE/);
  });
});

Deno.test("/metrics: the reconcile-duration histogram has the host's reconciles after a run", async () => {
  await withServer(async (s) => {
    await s.api("POST", "/api/v1/workflows/default", {
      workflow: {
        metadata: { name: "timed" },
        spec: {
          entrypoint: "main",
          templates: [{ name: "main", container: { image: "busybox", command: ["true"] } }],
        },
      },
    });
    await phaseOf(s, "timed", "Succeeded");
    const text = await (await s.fetch("/metrics")).text();
    const count = Number(/^skiff_reconcile_duration_seconds_count (\d+)$/m.exec(text)?.[1]);
    // At least the one that started the step and the one that saw it end.
    assert.ok(count >= 2, `reconciles counted: ${count}\n${text}`);
    const sum = Number(/^skiff_reconcile_duration_seconds_sum (\S+)$/m.exec(text)?.[1]);
    assert.ok(sum > 0 && sum < count, `sum ${sum}`);
  });
});
