import { deepStrictEqual, equal } from "node:assert/strict";
import type { RunSpec } from "../../controller/engine/actions.ts";
import { childNames, type PodScript, runWorkflow } from "./driver.ts";

// 50 items finishing one per event (item i runs i+1 seconds), under a template deadline and a
// retryStrategy with backoff: items 3, 11 and 20 fail their first attempt, item 7 never ends.
const fanout = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: fan}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - name: work
        template: item
        arguments: {parameters: [{name: i, value: "{{item}}"}]}
        withSequence: {count: "50"}
  - name: item
    inputs: {parameters: [{name: i}]}
    activeDeadlineSeconds: 60
    retryStrategy: {limit: 2, backoff: {duration: "5s"}}
    container: {image: busybox, args: ["item {{inputs.parameters.i}} try {{retries}}"]}
`;

/** `fan[0].work(7:7)(1)` -> [7, 1]. */
function itemAndAttempt(run: RunSpec): [number, number] {
  const m = /\((\d+):\d+\)\((\d+)\)$/.exec(run.nodeName);
  return [Number(m?.[1]), Number(m?.[2])];
}

function script(run: RunSpec): PodScript {
  const [i, attempt] = itemAndAttempt(run);
  if (i === 7) return { hang: true };
  if ((i === 3 || i === 11 || i === 20) && attempt === 0) return { exitCode: 1, duration: i + 1 };
  return { duration: i + 1 };
}

Deno.test("fan-out finishing one item per event: deadlines, retries and wakes as a user sees them", () => {
  const r = runWorkflow(fanout, { scriptFor: script, maxSteps: 2000 });
  equal(r.status.phase, "Failed");
  equal(r.status.message, `child '${r.byName["fan[0].work(7:7)"]?.id}' failed`);
  equal(r.status.progress, "49/55"); // 50 items + 3 second attempts + 2 more of item 7

  // Every item but 7 succeeded, the flaky ones on their second attempt.
  for (let i = 0; i < 50; i++) {
    const name = `fan[0].work(${i}:${i})`;
    const node = r.byName[name];
    equal(node?.type, "Retry", name);
    const attempts = i === 7 ? 3 : [3, 11, 20].includes(i) ? 2 : 1;
    equal(childNames(r, name).length, attempts, name);
    if (i !== 7) equal(node?.phase, "Succeeded", name);
  }
  equal(r.byName["fan[0].work(3:3)(0)"]?.message, "main: Error (exit code 1)");
  equal(r.byName["fan[0].work(3:3)(1)"]?.phase, "Succeeded");
  deepStrictEqual(
    r.started.filter((s) => itemAndAttempt(s)[0] === 3).map((s) => s.main.args?.[0]),
    ["item 3 try 0", "item 3 try 1"],
  );

  // Item 7 is killed at each attempt's deadline (60s after it starts), retried after 5s of backoff,
  // and fails once no retries are left.
  const seven = r.byName["fan[0].work(7:7)"];
  equal(seven?.phase, "Failed");
  equal(seven?.message, "No more retries left");
  for (const [k, started, finished] of [[0, 0, 60], [1, 65, 125], [2, 130, 190]] as const) {
    const attempt = r.byName[`fan[0].work(7:7)(${k})`];
    equal(attempt?.phase, "Failed");
    equal(attempt?.message, "Pod was active on the node longer than the specified deadline");
    equal(
      attempt?.startedAt,
      `2024-01-01T00:0${Math.floor(started / 60)}:${String(started % 60).padStart(2, "0")}Z`,
    );
    equal(
      attempt?.finishedAt,
      `2024-01-01T00:0${Math.floor(finished / 60)}:${String(finished % 60).padStart(2, "0")}Z`,
    );
  }
  const kills = r.log.filter((l) => l.action.type === "kill").map((
    l,
  ) => [l.t, l.action.type === "kill" && l.action.reason]);
  deepStrictEqual(kills, [
    [60, "Pod was active on the node longer than the specified deadline"],
    [125, "Pod was active on the node longer than the specified deadline"],
    [190, "Pod was active on the node longer than the specified deadline"],
  ]);

  // Wake-ups: each item's deadline while its pod runs, and the end of each backoff.
  const wakes = new Set(
    r.log.filter((l) => l.action.type === "wake").map((l) => l.action.type === "wake" && l.action.at),
  );
  for (const at of ["00:01:00", "00:01:05", "00:02:05", "00:02:10", "00:03:10"]) {
    equal(wakes.has(`2024-01-01T${at}Z`), true, at);
  }
  equal(r.elapsed, 190);
});
