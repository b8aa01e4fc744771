/**
 * The workflow endpoints over real HTTP: each one's success and its bad input, with Argo's status
 * codes and `{code, message}` errors.
 */
import assert from "node:assert/strict";
import { echoWorkflow, nodePhaseOf, phaseOf, suspendWorkflow, withServer } from "./helpers.ts";

type Wf = {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  spec: Record<string, unknown>;
  status?: { phase?: string; nodes?: Record<string, { displayName?: string; phase?: string; type: string }> };
};
type List = { metadata: { continue?: string }; items: Wf[] };

Deno.test("POST /api/v1/workflows/{ns} creates a workflow that runs to Succeeded; GET returns it", async () => {
  await withServer(async (s) => {
    const created = await s.api<Wf>("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("hello") });
    assert.equal(created.status, 200);
    assert.equal(created.body.metadata.name, "hello");
    assert.equal(created.body.metadata.namespace, "default");
    const done = await phaseOf(s, "hello", "Succeeded") as Wf;
    assert.equal(Object.values(done.status!.nodes!)[0]!.phase, "Succeeded");

    const again = await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("hello") });
    assert.deepEqual([again.status, again.body], [409, {
      code: 6,
      message: 'workflows.argoproj.io "hello" already exists',
    }]);
  });
});

Deno.test("POST /api/v1/workflows/{ns}: generateName, serverDryRun, and every kind of bad input is a 400", async () => {
  await withServer(async (s) => {
    const wf = echoWorkflow("x");
    const gen = { ...wf, metadata: { generateName: "gen-" } };
    const dry = await s.api<Wf>("POST", "/api/v1/workflows/default", { workflow: gen, serverDryRun: true });
    assert.equal(dry.status, 200);
    assert.match(dry.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    const list = await s.api<List>("GET", "/api/v1/workflows/default");
    assert.deepEqual(list.body.items, [], "a dry run creates nothing");

    const bad = async (body: unknown) => {
      const r = await s.api<{ code: number; message: string }>("POST", "/api/v1/workflows/default", body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal(r.body.code, 3);
      return r.body.message;
    };
    assert.equal(
      await bad('{"workflow": {'),
      "malformed request body: Expected property name or '}' in JSON at line 1 column 15",
    );
    assert.equal(await bad("[1, 2]"), "the request body must be a JSON object, not a list");
    assert.equal(await bad({}), 'the request body has no "workflow"; it is required');
    assert.equal(
      await bad({ workflow: "hello" }),
      '"workflow" in the request body must be an object, not the string "hello"',
    );
    assert.equal(
      await bad({ workflow: wf, serverDryRun: "yes" }),
      '"serverDryRun" in the request body must be a boolean, not the string "yes"',
    );
    assert.equal(
      await bad({ workflow: { ...wf, kind: "WorkflowTemplate" } }),
      'kind must be Workflow, not "WorkflowTemplate"',
    );
    assert.equal(
      await bad({ workflow: { ...wf, metadata: { name: "a", namespace: "other" } } }),
      'metadata.namespace "other" does not match the namespace of the request "default"',
    );
    assert.equal(
      await bad({ workflow: { ...wf, metadata: {} } }),
      "the Workflow has neither metadata.name nor metadata.generateName; set one of them",
    );
  });
});

Deno.test("lint errors on create are a 400 with line:col of the request body, no file name", async () => {
  await withServer(async (s) => {
    const body = `{
  "workflow": {
    "metadata": {"generateName": "broken-"},
    "spec": {
      "entrypoint": "main",
      "templates": [
        {"name": "main", "steps": [[{"name": "a", "template": "mian"}]]}
      ]
    }
  }
}`;
    const r = await s.api<{ code: number; message: string }>("POST", "/api/v1/workflows/default", body);
    assert.equal(r.status, 400);
    assert.equal(r.body.message, '7:63: step "a" calls unknown template "mian"; did you mean "main"?');
  });
});

Deno.test("GET /api/v1/workflows/{ns}: label selectors, phase labels, field selectors, limit and continue", async () => {
  await withServer(async (s) => {
    for (const [name, team] of [["a1", "red"], ["a2", "blue"], ["a3", "red"]]) {
      const wf = echoWorkflow(name!);
      await s.api("POST", "/api/v1/workflows/default", {
        workflow: { ...wf, metadata: { name, labels: { team } } },
      });
    }
    for (const n of ["a1", "a2", "a3"]) await phaseOf(s, n, "Succeeded");
    const names = async (q: string) => {
      const r = await s.api<List>("GET", `/api/v1/workflows/default?${q}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.items.map((w) => w.metadata.name);
    };
    assert.deepEqual(await names(""), ["a3", "a2", "a1"], "newest first");
    assert.deepEqual(await names("listOptions.labelSelector=team%3Dred"), ["a3", "a1"]);
    assert.deepEqual(await names("listOptions.labelSelector=team%20notin%20(red)"), ["a2"]);
    assert.deepEqual(await names("listOptions.labelSelector=workflows.argoproj.io/completed%3Dtrue"), [
      "a3",
      "a2",
      "a1",
    ]);
    assert.deepEqual(
      await names("listOptions.labelSelector=workflows.argoproj.io/phase%20in%20(Running)"),
      [],
    );
    assert.deepEqual(await names("listOptions.fieldSelector=metadata.name%3Da2"), ["a2"]);
    assert.deepEqual(await names("listOptions.fieldSelector=metadata.name!%3Da2"), ["a3", "a1"]);

    const page1 = await s.api<List>("GET", "/api/v1/workflows/default?listOptions.limit=2");
    assert.deepEqual(page1.body.items.map((w) => w.metadata.name), ["a3", "a2"]);
    assert.ok(page1.body.metadata.continue);
    const page2 = await s.api<List>(
      "GET",
      `/api/v1/workflows/default?listOptions.limit=2&listOptions.continue=${page1.body.metadata.continue}`,
    );
    assert.deepEqual(page2.body.items.map((w) => w.metadata.name), ["a1"]);
    assert.equal(page2.body.metadata.continue, undefined);

    const bad = async (
      q: string,
    ) => (await s.api<{ code: number; message: string }>("GET", `/api/v1/workflows/default?${q}`));
    const r1 = await bad("listOptions.labelSelector=team%3D%3D%3Dx");
    assert.equal(r1.status, 400);
    assert.match(r1.body.message, /^invalid label selector "team===x"/);
    const r2 = await bad("listOptions.fieldSelector=spec.x%3Dy");
    assert.deepEqual([r2.status, r2.body.message], [
      400,
      'field selector: unsupported field "spec.x"; supported are metadata.name, metadata.namespace',
    ]);
    const r3 = await bad("listOptions.limit=-1");
    assert.deepEqual([r3.status, r3.body.message], [
      400,
      "query parameter listOptions.limit must be >= 0, not -1",
    ]);
    const r4 = await bad("listOptions.continue=garbage");
    assert.equal(r4.status, 400);
    assert.match(r4.body.message, /is not a token this server gave/);
  });
});

Deno.test("GET and DELETE /api/v1/workflows/{ns}/{name}: 404 for unknown workflows; delete removes it", async () => {
  await withServer(async (s) => {
    const missing = await s.api("GET", "/api/v1/workflows/default/nope");
    assert.deepEqual([missing.status, missing.body], [404, {
      code: 5,
      message: 'workflows.argoproj.io "nope" not found',
    }]);
    const delMissing = await s.api("DELETE", "/api/v1/workflows/default/nope");
    assert.equal(delMissing.status, 404);

    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("gone") });
    await phaseOf(s, "gone", "Succeeded");
    const del = await s.api("DELETE", "/api/v1/workflows/default/gone");
    assert.deepEqual([del.status, del.body], [200, {}]);
    assert.equal((await s.api("GET", "/api/v1/workflows/default/gone")).status, 404);
    const long = echoWorkflow("long");
    long.spec.templates[0]!.container = { image: "busybox", command: ["sh", "-c"], args: ["sleep 30"] };
    await s.api("POST", "/api/v1/workflows/default", { workflow: long });
    await nodePhaseOf(s, "long", "long", "Running");
    const started = Date.now();
    const delRunning = await s.api("DELETE", "/api/v1/workflows/default/long");
    assert.deepEqual([delRunning.status, delRunning.body], [200, {}]);
    assert.ok(Date.now() - started < 5000, "delete answers at once; the step is stopped in the background");
    assert.equal((await s.api("GET", "/api/v1/workflows/default/long")).status, 404);
    const badForce = await s.api<{ message: string }>("DELETE", "/api/v1/workflows/default/x?force=maybe");
    assert.deepEqual([badForce.status, badForce.body.message], [
      400,
      'query parameter force must be true or false, not "maybe"',
    ]);
  });
});

Deno.test("PUT suspend, resume, set, stop and terminate change a running workflow; finished ones refuse", async () => {
  await withServer(async (s) => {
    await s.api("POST", "/api/v1/workflows/default", { workflow: suspendWorkflow("gate") });
    await nodePhaseOf(s, "gate", "approve", "Running");
    const susp = await s.api<Wf>("PUT", "/api/v1/workflows/default/gate/suspend", {});
    assert.deepEqual([susp.status, susp.body.spec.suspend], [200, true]);

    const badSet = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/gate/set", {
      phase: "Succeeded",
    });
    assert.deepEqual([badSet.status, badSet.body.message], [
      400,
      'the request body has no "nodeFieldSelector"; it is required',
    ]);
    const badPhase = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/gate/set", {
      nodeFieldSelector: "displayName=approve",
      phase: "Running",
    });
    assert.deepEqual([badPhase.status, badPhase.body.message], [
      400,
      'phase must be Succeeded or Failed, not "Running"',
    ]);
    const noMatch = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/gate/resume", {
      nodeFieldSelector: "displayName=nothing",
    });
    assert.equal(noMatch.status, 400);
    assert.match(noMatch.body.message, /no suspend nodes matching nodeFieldSelector: displayName=nothing/);

    const resumed = await s.api<Wf>("PUT", "/api/v1/workflows/default/gate/resume", {});
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.spec.suspend, undefined);
    const done = await phaseOf(s, "gate", "Succeeded") as Wf;
    const phases = Object.values(done.status!.nodes!).filter((n) => n.type !== "StepGroup").map((n) =>
      `${n.displayName} ${n.phase}`
    ).sort();
    assert.deepEqual(phases, ["approve Succeeded", "build Succeeded", "gate Succeeded", "release Succeeded"]);

    const late = await s.api("PUT", "/api/v1/workflows/default/gate/terminate", {});
    assert.deepEqual([late.status, late.body], [400, {
      code: 9,
      message: "cannot terminate workflow gate: it has already Succeeded",
    }]);
    const missing = await s.api("PUT", "/api/v1/workflows/default/nope/stop", {});
    assert.equal(missing.status, 404);

    await s.api("POST", "/api/v1/workflows/default", { workflow: suspendWorkflow("gate2") });
    await nodePhaseOf(s, "gate2", "approve", "Running");
    const setOk = await s.api("PUT", "/api/v1/workflows/default/gate2/set", {
      nodeFieldSelector: "displayName=approve",
      phase: "Failed",
      message: "rejected",
    });
    assert.equal(setOk.status, 200);
    const failed = await phaseOf(s, "gate2", "Failed") as Wf;
    const approve = Object.values(failed.status!.nodes!).find((n) => n.displayName === "approve");
    assert.equal(approve?.phase, "Failed");

    await s.api("POST", "/api/v1/workflows/default", { workflow: suspendWorkflow("gate3") });
    await nodePhaseOf(s, "gate3", "approve", "Running");
    const stopped = await s.api<Wf>("PUT", "/api/v1/workflows/default/gate3/stop", {});
    assert.deepEqual([stopped.status, stopped.body.spec.shutdown], [200, "Stop"]);
    await phaseOf(s, "gate3", "Failed");
  });
});

Deno.test("PUT resubmit makes a new workflow; retry of a succeeded one needs a selector; both 404 for unknown", async () => {
  await withServer(async (s) => {
    const wf = echoWorkflow("orig", "{{workflow.parameters.msg}}", {
      arguments: { parameters: [{ name: "msg", value: "first" }] },
    });
    await s.api("POST", "/api/v1/workflows/default", { workflow: wf });
    await phaseOf(s, "orig", "Succeeded");
    const re = await s.api<Wf>("PUT", "/api/v1/workflows/default/orig/resubmit", {
      parameters: ["msg=second"],
    });
    assert.equal(re.status, 200, JSON.stringify(re.body));
    assert.match(re.body.metadata.name, /^orig-[a-z0-9]{5}$/);
    assert.equal(re.body.metadata.labels?.["workflows.argoproj.io/resubmitted-from-workflow"], "orig");
    await phaseOf(s, re.body.metadata.name, "Succeeded");
    const logs = await (await s.fetch(`/api/v1/workflows/default/${re.body.metadata.name}/log`)).text();
    assert.match(logs, /"content":"second"/);

    const badParams = await s.api<{ message: string }>("PUT", "/api/v1/workflows/default/orig/resubmit", {
      parameters: "msg=x",
    });
    assert.deepEqual([badParams.status, badParams.body.message], [
      400,
      '"parameters" in the request body must be a list of strings, not the string "msg=x"',
    ]);
    // A succeeded workflow is retried only with restartSuccessful and a selector (tests/web/retry.test.ts).
    const retry = await s.api<{ code: number; message: string }>(
      "PUT",
      "/api/v1/workflows/default/orig/retry",
      {},
    );
    assert.equal(retry.status, 400);
    assert.match(retry.body.message, /set the options restartSuccessful and nodeFieldSelector/);
    assert.equal((await s.api("PUT", "/api/v1/workflows/default/nope/retry", {})).status, 404);
    assert.equal((await s.api("PUT", "/api/v1/workflows/default/nope/resubmit", {})).status, 404);
  });
});

Deno.test("POST /api/v1/workflows/{ns}/lint checks without creating; POST .../submit runs a template", async () => {
  await withServer(async (s) => {
    const ok = await s.api<Wf>("POST", "/api/v1/workflows/default/lint", {
      workflow: echoWorkflow("linted"),
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.metadata.name, "linted");
    assert.equal((await s.api("GET", "/api/v1/workflows/default/linted")).status, 404);
    const broken = echoWorkflow("b");
    broken.spec.entrypoint = "nowhere";
    const bad = await s.api<{ message: string }>("POST", "/api/v1/workflows/default/lint", {
      workflow: broken,
    });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /^\d+:\d+: .*nowhere/);

    const template = {
      ...echoWorkflow("greeter", "hi {{workflow.parameters.who}}", {
        arguments: { parameters: [{ name: "who", value: "you" }] },
      }),
      kind: "WorkflowTemplate",
    };
    assert.equal((await s.api("POST", "/api/v1/workflow-templates/default", { template })).status, 200);
    const sub = await s.api<Wf>("POST", "/api/v1/workflows/default/submit", {
      resourceKind: "WorkflowTemplate",
      resourceName: "greeter",
      submitOptions: { parameters: ["who=skiff"], labels: "via=test" },
    });
    assert.equal(sub.status, 200, JSON.stringify(sub.body));
    assert.equal(sub.body.metadata.labels?.["workflows.argoproj.io/workflow-template"], "greeter");
    assert.equal(sub.body.metadata.labels?.via, "test");
    await phaseOf(s, sub.body.metadata.name, "Succeeded");
    const logs = await (await s.fetch(`/api/v1/workflows/default/${sub.body.metadata.name}/log`)).text();
    assert.match(logs, /"content":"hi skiff"/);

    const missing = await s.api("POST", "/api/v1/workflows/default/submit", {
      resourceKind: "WorkflowTemplate",
      resourceName: "nope",
    });
    assert.deepEqual([missing.status, missing.body], [404, {
      code: 5,
      message: 'workflowtemplates.argoproj.io "nope" not found',
    }]);
    const badKind = await s.api<{ message: string }>("POST", "/api/v1/workflows/default/submit", {
      resourceKind: "Pod",
      resourceName: "x",
    });
    assert.equal(badKind.status, 400);
    assert.match(badKind.body.message, /resourceKind "Pod" is not one of WorkflowTemplate/);
    const noKind = await s.api<{ message: string }>("POST", "/api/v1/workflows/default/submit", {
      resourceName: "x",
    });
    assert.deepEqual([noKind.status, noKind.body.message], [
      400,
      'the request body has no "resourceKind" (e.g. "WorkflowTemplate")',
    ]);
  });
});

Deno.test("unknown routes are 404, wrong methods 405, both with {code, message}", async () => {
  await withServer(async (s) => {
    const r = await s.api("GET", "/api/v1/nothing");
    assert.deepEqual([r.status, r.body], [404, { code: 5, message: "no route GET /api/v1/nothing" }]);
    const m = await s.fetch("/api/v1/workflows/default/x", { method: "PATCH" });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get("allow"), "GET, DELETE");
    assert.deepEqual(await m.json(), {
      code: 12,
      message: "method PATCH not allowed on /api/v1/workflows/default/x; use GET, DELETE",
    });
  });
});
