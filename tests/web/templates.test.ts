/**
 * WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow endpoints: create, list, get, update,
 * delete, lint (and cron suspend/resume), each with its bad input; templateRef resolution on submit.
 */
import assert from "node:assert/strict";
import { echoWorkflow, phaseOf, type TestServer, withServer } from "./helpers.ts";

type Obj = {
  kind?: string;
  metadata: { name: string; resourceVersion?: string; uid?: string };
  spec: Record<string, unknown>;
};
type Err = { code: number; message: string };

const template = (name: string, kind = "WorkflowTemplate") => ({
  ...echoWorkflow(name, "from template"),
  kind,
});
const cron = (name: string) => ({
  apiVersion: "argoproj.io/v1alpha1",
  kind: "CronWorkflow",
  metadata: { name },
  spec: { schedules: ["*/5 * * * *"], workflowSpec: echoWorkflow("unused", "from cron").spec },
});

/** The CRUD + lint cycle of one kind, as a user of the API sees it. */
async function crud(s: TestServer, base: string, field: string, make: (n: string) => Obj, resource: string) {
  const created = await s.api<Obj>("POST", base, { [field]: make("one") });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.metadata.name, "one");
  assert.equal(created.body.metadata.resourceVersion, "1");
  assert.ok(created.body.metadata.uid);

  const dup = await s.api<Err>("POST", base, { [field]: make("one") });
  assert.deepEqual([dup.status, dup.body], [409, { code: 6, message: `${resource} "one" already exists` }]);
  await s.api("POST", base, { [field]: make("two") });
  const dry = await s.api<Obj>("POST", base, { [field]: make("three"), createOptions: { dryRun: ["All"] } });
  assert.equal(dry.status, 200);

  const list = await s.api<{ items: Obj[] }>("GET", base);
  assert.deepEqual(list.body.items.map((o) => o.metadata.name), ["one", "two"]);
  const got = await s.api<Obj>("GET", `${base}/two`);
  assert.equal(got.body.metadata.name, "two");
  const missing = await s.api<Err>("GET", `${base}/nope`);
  assert.deepEqual([missing.status, missing.body], [404, {
    code: 5,
    message: `${resource} "nope" not found`,
  }]);

  const changed = { ...got.body, metadata: { ...got.body.metadata, labels: { v: "2" } } };
  const upd = await s.api<Obj>("PUT", `${base}/two`, { [field]: changed });
  assert.equal(upd.status, 200, JSON.stringify(upd.body));
  assert.equal(upd.body.metadata.resourceVersion, "2");
  assert.equal(upd.body.metadata.uid, got.body.metadata.uid);
  const stale = await s.api<Err>("PUT", `${base}/two`, { [field]: changed });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.code, 10);
  const renamed = await s.api<Err>("PUT", `${base}/two`, { [field]: { ...make("other") } });
  assert.deepEqual([renamed.status, renamed.body.message], [
    400,
    'metadata.name "other" does not match the name in the path "two"',
  ]);
  assert.equal((await s.api("PUT", `${base}/nope`, { [field]: make("nope") })).status, 404);

  const linted = await s.api<Obj>("POST", `${base}/lint`, { [field]: make("four") });
  assert.equal(linted.status, 200);
  assert.equal((await s.api("GET", `${base}/four`)).status, 404, "lint stores nothing");
  const noField = await s.api<Err>("POST", `${base}/lint`, {});
  assert.deepEqual([noField.status, noField.body.message], [
    400,
    `the request body has no "${field}"; it is required`,
  ]);

  const del = await s.api("DELETE", `${base}/one`);
  assert.deepEqual([del.status, del.body], [200, {}]);
  assert.equal((await s.api("DELETE", `${base}/one`)).status, 404);
}

Deno.test("/api/v1/workflow-templates/{ns}: create, list, get, update, lint, delete and their errors", async () => {
  await withServer(async (s) => {
    await crud(
      s,
      "/api/v1/workflow-templates/default",
      "template",
      (n) => template(n),
      "workflowtemplates.argoproj.io",
    );
    const broken = template("broken");
    broken.spec.entrypoint = "mian";
    const r = await s.api<Err>("POST", "/api/v1/workflow-templates/default", { template: broken });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /^\d+:\d+: .*"mian"/);
    const wrongKind = await s.api<Err>("POST", "/api/v1/workflow-templates/default", {
      template: echoWorkflow("w"),
    });
    assert.deepEqual([wrongKind.status, wrongKind.body.message], [
      400,
      'kind must be WorkflowTemplate, not "Workflow"',
    ]);
  });
});

Deno.test("/api/v1/cluster-workflow-templates: the same cycle without a namespace", async () => {
  await withServer(async (s) => {
    await crud(
      s,
      "/api/v1/cluster-workflow-templates",
      "template",
      (n) => template(n, "ClusterWorkflowTemplate"),
      "clusterworkflowtemplates.argoproj.io",
    );
  });
});

Deno.test("/api/v1/cron-workflows/{ns}: the cycle, suspend and resume, and submitting from one", async () => {
  await withServer(async (s) => {
    await crud(
      s,
      "/api/v1/cron-workflows/default",
      "cronWorkflow",
      (n) => cron(n) as unknown as Obj,
      "cronworkflows.argoproj.io",
    );
    const susp = await s.api<Obj>("PUT", "/api/v1/cron-workflows/default/two/suspend", {});
    assert.deepEqual([susp.status, susp.body.spec.suspend], [200, true]);
    const res = await s.api<Obj>("PUT", "/api/v1/cron-workflows/default/two/resume", {});
    assert.deepEqual([res.status, res.body.spec.suspend], [200, false]);
    assert.equal((await s.api("PUT", "/api/v1/cron-workflows/default/nope/suspend", {})).status, 404);

    const badSchedule = cron("bad");
    badSchedule.spec.schedules = ["every minute"];
    const r = await s.api<Err>("POST", "/api/v1/cron-workflows/default", { cronWorkflow: badSchedule });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /every minute/);

    const sub = await s.api<{ metadata: { name: string; labels: Record<string, string> } }>(
      "POST",
      "/api/v1/workflows/default/submit",
      { resourceKind: "cronwf", resourceName: "two" },
    );
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    assert.equal(sub.body.metadata.labels["workflows.argoproj.io/cron-workflow"], "two");
    await phaseOf(s, sub.body.metadata.name, "Succeeded");
  });
});

Deno.test("a workflow's templateRef and workflowTemplateRef resolve against stored templates", async () => {
  await withServer(async (s) => {
    const lib = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "ClusterWorkflowTemplate",
      metadata: { name: "lib" },
      spec: {
        templates: [
          { name: "twice", steps: [[{ name: "a", template: "say" }], [{ name: "b", template: "say" }]] },
          { name: "say", container: { image: "busybox", command: ["echo"], args: ["from lib"] } },
        ],
      },
    };
    assert.equal((await s.api("POST", "/api/v1/cluster-workflow-templates", { template: lib })).status, 200);
    const wf = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { name: "uses-lib" },
      spec: {
        entrypoint: "main",
        templates: [{
          name: "main",
          steps: [[{ name: "call", templateRef: { name: "lib", template: "twice", clusterScope: true } }]],
        }],
      },
    };
    const created = await s.api("POST", "/api/v1/workflows/default", { workflow: wf });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    await phaseOf(s, "uses-lib", "Succeeded");
    const logs = await (await s.fetch("/api/v1/workflows/default/uses-lib/log")).text();
    assert.equal(logs.split("\n").filter((l) => l.includes('"content":"from lib"')).length, 2);

    const missing = structuredClone(wf);
    missing.metadata.name = "uses-nothing";
    missing.spec.templates[0]!.steps[0]![0]!.templateRef.name = "nothing";
    const r = await s.api<Err>("POST", "/api/v1/workflows/default", { workflow: missing });
    assert.deepEqual([r.status, r.body.message], [
      400,
      'templateRef: ClusterWorkflowTemplate "nothing" not found',
    ]);

    const byRef = {
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Workflow",
      metadata: { generateName: "by-ref-" },
      spec: { workflowTemplateRef: { name: "absent" } },
    };
    const r2 = await s.api<Err>("POST", "/api/v1/workflows/default", { workflow: byRef });
    assert.deepEqual([r2.status, r2.body.message], [
      400,
      'spec.workflowTemplateRef: WorkflowTemplate "absent" not found',
    ]);
  });
});
