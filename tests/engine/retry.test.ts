import { deepStrictEqual, equal } from "node:assert/strict";
import { childNames, runWorkflow } from "./driver.ts";

const retryWf = (strategy: string, wfLevel = "") => `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: r}
spec:
  entrypoint: main
${wfLevel}
  templates:
  - name: main
    steps:
    - - {name: try, template: flaky}
  - name: flaky
${strategy}
    container: {image: busybox, args: ["attempt {{retries}}"]}
`;

Deno.test("retry: limit as a string, attempts name(0), name(1) under a Retry node", () => {
  const r = runWorkflow(retryWf(`    retryStrategy: {limit: "2"}`), {
    scripts: { flaky: (_run, n) => ({ exitCode: n < 2 ? 1 : 0 }) },
  });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["r[0].try"]?.type, "Retry");
  deepStrictEqual(childNames(r, "r[0].try"), ["r[0].try(0)", "r[0].try(1)", "r[0].try(2)"]);
  deepStrictEqual(r.started.map((s) => s.main.args?.[0]), ["attempt 0", "attempt 1", "attempt 2"]);
  equal(r.byName["r[0].try(1)"]?.nodeFlag?.retried, true);
  equal(r.byName["r[0].try(1)"]?.displayName, "try(1)");
  // Without backoff the next attempt starts in the same reconcile the failure is seen.
  deepStrictEqual(r.log.filter((l) => l.action.type === "start").map((l) => l.t), [0, 1, 2]);
});

Deno.test("retry: no more retries left fails the Retry node with its last attempt's phase", () => {
  const r = runWorkflow(retryWf(`    retryStrategy: {limit: 1}`), { scripts: { flaky: { exitCode: 3 } } });
  equal(r.status.phase, "Failed");
  equal(r.byName["r[0].try"]?.phase, "Failed");
  equal(r.byName["r[0].try"]?.message, "No more retries left");
  deepStrictEqual(childNames(r, "r[0].try"), ["r[0].try(0)", "r[0].try(1)"]);
});

Deno.test("retry: the default policy OnFailure does not retry errors; Always does", () => {
  const onFailure = runWorkflow(retryWf(`    retryStrategy: {limit: 2}`), {
    scripts: { flaky: { phase: "Error", exitCode: 1 } },
  });
  deepStrictEqual(childNames(onFailure, "r[0].try"), ["r[0].try(0)"]);
  equal(onFailure.byName["r[0].try"]?.phase, "Error");
  const always = runWorkflow(retryWf(`    retryStrategy: {limit: 2, retryPolicy: Always}`), {
    scripts: { flaky: { phase: "Error", exitCode: 1 } },
  });
  deepStrictEqual(childNames(always, "r[0].try"), ["r[0].try(0)", "r[0].try(1)", "r[0].try(2)"]);
  const onError = runWorkflow(retryWf(`    retryStrategy: {limit: 2, retryPolicy: OnError}`), {
    scripts: { flaky: { exitCode: 1 } },
  });
  deepStrictEqual(childNames(onError, "r[0].try"), ["r[0].try(0)"]);
});

Deno.test("retry: OnTransientError retries a Failed or Error attempt whose message Argo calls transient", () => {
  const policy = `    retryStrategy: {limit: 2, retryPolicy: OnTransientError}`;
  const reset = runWorkflow(retryWf(policy), {
    scripts: {
      flaky: (_run, n) => n === 0 ? { phase: "Error", message: "read tcp: connection reset by peer" } : {},
    },
  });
  equal(reset.status.phase, "Succeeded");
  deepStrictEqual(childNames(reset, "r[0].try"), ["r[0].try(0)", "r[0].try(1)"]);
  // Not transient: no retry, whatever the phase.
  const plain = runWorkflow(retryWf(policy), { scripts: { flaky: { exitCode: 3 } } });
  deepStrictEqual(childNames(plain, "r[0].try"), ["r[0].try(0)"]);
  equal(plain.byName["r[0].try"]?.message, "main: Error (exit code 3)");
  // The host's TRANSIENT_ERROR_PATTERN makes more messages transient.
  const patterned = runWorkflow(retryWf(policy), {
    scripts: { flaky: { exitCode: 3 } },
    transientErrorPattern: "exit code [0-9]+",
  });
  deepStrictEqual(childNames(patterned, "r[0].try"), ["r[0].try(0)", "r[0].try(1)", "r[0].try(2)"]);
  equal(patterned.byName["r[0].try"]?.message, "No more retries left");
});

Deno.test("retry: backoff waits duration * factor^n, capped, with wake actions at the exact times", () => {
  const r = runWorkflow(
    retryWf(`    retryStrategy: {limit: 3, backoff: {duration: "10", factor: 2, cap: "15s"}}`),
    { scripts: { flaky: { exitCode: 1, duration: 1 } } },
  );
  equal(r.status.phase, "Failed");
  // attempts at 0 (fails at 1) -> wait 10s -> 11 (fails 12) -> wait 20s capped 15 -> 27 (fails 28) -> 15 -> 43
  deepStrictEqual(r.log.filter((l) => l.action.type === "start").map((l) => l.t), [0, 11, 27, 43]);
  const wakes = r.log.filter((l) => l.action.type === "wake").map((l) => (l.action as { at: string }).at);
  deepStrictEqual([...new Set(wakes)], [
    "2024-01-01T00:00:11Z",
    "2024-01-01T00:00:27Z",
    "2024-01-01T00:00:43Z",
  ]);
  equal(r.byName["r[0].try"]?.message, "No more retries left");
});

Deno.test("retry: backoff message while waiting", () => {
  let seen = "";
  runWorkflow(retryWf(`    retryStrategy: {limit: 1, backoff: {duration: "90s"}}`), {
    scripts: { flaky: { exitCode: 1 } },
    at: {
      30: (
        w,
      ) => ((seen = Object.values(w.status?.nodes ?? {}).find((n) => n.type === "Retry")?.message ?? ""), w),
    },
  });
  equal(seen, "Backoff for 1 minute 30 seconds");
});

Deno.test("retry: maxDuration stops retrying", () => {
  const r = runWorkflow(
    retryWf(`    retryStrategy: {limit: 10, backoff: {duration: "5s", maxDuration: "8s"}}`),
    {
      scripts: { flaky: { exitCode: 1, duration: 2 } },
    },
  );
  equal(r.status.phase, "Failed");
  // try(0) fails at 2; try(1) starts after 5s at 7 and is killed at the 8s maxDuration deadline;
  // another 5s backoff would pass it.
  deepStrictEqual(childNames(r, "r[0].try"), ["r[0].try(0)", "r[0].try(1)"]);
  equal(r.byName["r[0].try(1)"]?.message, "Pod was active on the node longer than the specified deadline");
  equal(r.started[1]?.deadline, "2024-01-01T00:00:08Z");
  equal(r.byName["r[0].try"]?.message, "Backoff would exceed max duration limit");
});

Deno.test("retry: expression with lastRetry decides", () => {
  const r = runWorkflow(
    retryWf(`    retryStrategy: {limit: 5, expression: "asInt(lastRetry.exitCode) == 2"}`),
    { scripts: { flaky: (_run, n) => ({ exitCode: n === 0 ? 2 : 3 }) } },
  );
  equal(r.status.phase, "Failed");
  deepStrictEqual(childNames(r, "r[0].try"), ["r[0].try(0)", "r[0].try(1)"]);
  equal(r.byName["r[0].try"]?.message, "retryStrategy.expression evaluated to false");
});

Deno.test("retry: the workflow's retryStrategy is every template's default", () => {
  const r = runWorkflow(retryWf("", `  retryStrategy: {limit: 1}`), {
    scripts: { flaky: (_run, n) => ({ exitCode: n === 0 ? 1 : 0 }) },
  });
  equal(r.status.phase, "Succeeded");
  equal(r.byName["r"]?.type, "Retry");
  deepStrictEqual(childNames(r, "r"), ["r(0)"]);
  equal(r.byName["r(0)"]?.type, "Steps");
  deepStrictEqual(childNames(r, "r(0)[0].try"), ["r(0)[0].try(0)", "r(0)[0].try(1)"]);
});
