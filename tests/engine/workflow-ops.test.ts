import { deepStrictEqual, equal, ok, throws } from "node:assert/strict";
import { childNames, runWorkflow, wf } from "./driver.ts";
import { resubmitWorkflow, retryWorkflow } from "../../controller/engine/mod.ts";

const text = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: rt}
spec:
  entrypoint: main
  onExit: bye
  arguments: {parameters: [{name: fail, value: "yes"}]}
  templates:
  - name: main
    steps:
    - - {name: a, template: work}
    - - {name: b, template: maybe}
      - {name: c, template: work}
  - name: work
    container: {image: busybox}
  - name: maybe
    container: {image: busybox, args: ["{{workflow.parameters.fail}}"]}
  - name: bye
    container: {image: busybox}
`;
const scripts = {
  maybe: (run: { main: { args?: string[] } }) => ({ exitCode: run.main.args?.[0] === "yes" ? 1 : 0 }),
};

Deno.test("retryWorkflow: only the failed pod runs again; succeeded work is kept; exit handler reruns", () => {
  const first = runWorkflow(text, { scripts });
  equal(first.status.phase, "Failed");
  const { workflow, podsToDelete } = retryWorkflow(first.workflow, {
    parameters: ["fail=no"],
    now: "2024-01-01T01:00:00Z",
  });
  equal(workflow.status?.phase, "Running");
  equal(workflow.status?.startedAt, "2024-01-01T01:00:00Z");
  const names = Object.values(workflow.status?.nodes ?? {}).map((n) => n.name).sort();
  deepStrictEqual(names, ["rt", "rt[0]", "rt[0].a", "rt[1]", "rt[1].c"]);
  equal(workflow.status?.nodes?.["rt"]?.phase, "Running");
  equal(workflow.status?.nodes?.[first.byName["rt[1]"]?.id ?? ""]?.phase, "Running");
  deepStrictEqual(
    podsToDelete.sort(),
    [first.byName["rt[1].b"], first.byName["rt.onExit"]].map((n) =>
      n?.name === "rt.onExit" ? `rt-bye-${n.id.split("-").at(-1)}` : `rt-maybe-${n?.id.split("-").at(-1)}`
    ).sort(),
  );
  const second = runWorkflow(workflow, { scripts, start: "2024-01-01T01:00:00Z" });
  equal(second.status.phase, "Succeeded");
  deepStrictEqual(second.started.map((s) => s.nodeName), ["rt[1].b", "rt.onExit"]);
  deepStrictEqual(second.started[0]?.main.args, ["no"]);
  deepStrictEqual(childNames(second, "rt[0].a"), ["rt[1]"]);
  equal(second.byName["rt[0].a"]?.finishedAt, "2024-01-01T00:00:01Z");
});

Deno.test("retryWorkflow: refuses running and succeeded workflows", () => {
  throws(() => retryWorkflow(wf(text)), /Cannot retry a workflow in phase/);
  const ok1 = runWorkflow(text, { scripts: { maybe: {} } });
  throws(() => retryWorkflow(ok1.workflow), /To retry a succeeded workflow/);
});

Deno.test("resubmitWorkflow: a fresh workflow with the same spec", () => {
  const first = runWorkflow(text, { scripts });
  const again = resubmitWorkflow(first.workflow, { name: "rt-2", parameters: { fail: "no" } });
  equal(again.status, undefined);
  equal(again.metadata.labels?.["workflows.argoproj.io/resubmitted-from-workflow"], "rt");
  const r = runWorkflow(again, { scripts });
  equal(r.status.phase, "Succeeded");
  ok(r.byName["rt-2[1].b"]);
});
