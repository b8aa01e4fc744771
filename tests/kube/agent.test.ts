/**
 * The pod agent (the `wait` container) outside a pod: it reports the executor's result as a
 * WorkflowTaskResult (create, or patch when it exists), and gives up once `main` has ended without
 * one. (`init` runs the executor: tests/executor/fetch_inputs.test.ts, tests/kube/executor_image.test.ts.)
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { wait } from "../../controller/kube/agent.ts";
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
