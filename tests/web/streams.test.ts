/**
 * The streaming endpoints: workflow events as server-sent events (a workflow followed from Pending
 * to Succeeded, then DELETED) and logs as newline-delimited JSON (whole, tailed, grepped, followed).
 */
import assert from "node:assert/strict";
import { echoWorkflow, phaseOf, readStream, type TestServer, withServer } from "./helpers.ts";

type Wf = {
  metadata: { name: string };
  status?: { phase?: string; finishedAt?: string; nodes?: Record<string, { type: string; phase?: string }> };
};
type Event = { result?: { type: string; object: Wf }; error?: { code: number; message: string } };

function slowWorkflow(name: string) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: {
      entrypoint: "main",
      templates: [{
        name: "main",
        container: { image: "busybox", command: ["sh", "-c"], args: ["sleep 1; echo done"] },
      }],
    },
  };
}

Deno.test("GET /api/v1/workflow-events/{ns} streams one workflow from Pending to Succeeded as SSE", async () => {
  await withServer(async (s) => {
    const res = await s.fetch(
      "/api/v1/workflow-events/default?listOptions.fieldSelector=metadata.name%3Dslow",
      {
        headers: { accept: "text/event-stream" },
      },
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("other") });
    await s.api("POST", "/api/v1/workflows/default", { workflow: slowWorkflow("slow") });
    const events = await readStream<Event>(
      res,
      (es) => es.some((e) => e.result?.object.status?.phase === "Succeeded"),
    );

    assert.ok(events.every((e) => e.result?.object.metadata.name === "slow"), "only the selected workflow");
    assert.equal(events[0]!.result!.type, "ADDED");
    assert.ok(events.slice(1).every((e) => e.result!.type === "MODIFIED"));
    const phases = events.map((e) => e.result!.object.status?.phase || "Pending")
      .filter((p, i, all) => p !== all[i - 1]);
    assert.deepEqual(phases, ["Pending", "Running", "Succeeded"]);
    const pod = (e: Event) => Object.values(e.result!.object.status?.nodes ?? {})[0]?.phase;
    assert.ok(events.some((e) => pod(e) === "Running"), "the step is seen running");
    assert.ok(events.at(-1)!.result!.object.status?.finishedAt);
  });
});

Deno.test("workflow events: existing workflows come first as ADDED, deletions as DELETED; NDJSON on request", async () => {
  await withServer(async (s) => {
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("first") });
    await phaseOf(s, "first", "Succeeded");
    const res = await s.fetch("/api/v1/workflow-events/default", { headers: { accept: "application/json" } });
    assert.equal(res.headers.get("content-type"), "application/json");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const lines = () => text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Event);
    while (lines().length < 1) text += (await reader.read()).value ?? "";
    await s.api("DELETE", "/api/v1/workflows/default/first");
    while (lines().length < 2) text += (await reader.read()).value ?? "";
    await reader.cancel();
    assert.deepEqual(lines().map((e) => `${e.result!.type} ${e.result!.object.metadata.name}`), [
      "ADDED first",
      "DELETED first",
    ]);
  });
});

Deno.test("workflow events: a bad selector is a 400 before the stream starts", async () => {
  await withServer(async (s) => {
    const r = await s.api<{ code: number; message: string }>(
      "GET",
      "/api/v1/workflow-events/default?listOptions.fieldSelector=status.phase%3DRunning",
    );
    assert.deepEqual([r.status, r.body.code], [400, 3]);
    assert.match(r.body.message, /unsupported field "status.phase"/);
  });
});

async function logLines(s: TestServer, path: string): Promise<string[]> {
  const res = await s.fetch(path);
  assert.equal(res.status, 200);
  return (await res.text()).split("\n").filter(Boolean).map((l) => {
    const e = JSON.parse(l) as { result: { podName: string; content: string } };
    return `${e.result.podName}: ${e.result.content}`;
  });
}

Deno.test("GET /api/v1/workflows/{ns}/{name}/log streams {result: {content, podName}} lines; tail, grep, podName", async () => {
  await withServer(async (s) => {
    const wf = echoWorkflow("talk", "");
    wf.spec.templates[0]!.container = {
      image: "busybox",
      command: ["sh", "-c"],
      args: ["echo one; echo two; echo three"],
    };
    await s.api("POST", "/api/v1/workflows/default", { workflow: wf });
    await phaseOf(s, "talk", "Succeeded");
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/log"), [
      "talk: one",
      "talk: two",
      "talk: three",
    ]);
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/log?logOptions.tailLines=1"), [
      "talk: three",
    ]);
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/log?grep=^t"), [
      "talk: two",
      "talk: three",
    ]);
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/log?podName=someone-else"), []);
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/talk/log"), [
      "talk: one",
      "talk: two",
      "talk: three",
    ]);
    assert.deepEqual(await logLines(s, "/api/v1/workflows/default/talk/log?logOptions.container=wait"), []);

    const missing = await s.api("GET", "/api/v1/workflows/default/nope/log");
    assert.deepEqual([missing.status, missing.body], [404, {
      code: 5,
      message: 'workflows.argoproj.io "nope" not found',
    }]);
    const badGrep = await s.api<{ message: string }>("GET", "/api/v1/workflows/default/talk/log?grep=(");
    assert.equal(badGrep.status, 400);
    assert.match(badGrep.body.message, /^grep: /);
    const badTail = await s.api<{ message: string }>(
      "GET",
      "/api/v1/workflows/default/talk/log?logOptions.tailLines=x",
    );
    assert.deepEqual([badTail.status, badTail.body.message], [
      400,
      'query parameter logOptions.tailLines must be a whole number, not "x"',
    ]);
  });
});

Deno.test("logs with logOptions.follow stream while the workflow runs and end when it ends", async () => {
  await withServer(async (s) => {
    const wf = echoWorkflow("chatty", "");
    wf.spec.templates[0]!.container = {
      image: "busybox",
      command: ["sh", "-c"],
      args: ["echo start; sleep 2; echo end"],
    };
    await s.api("POST", "/api/v1/workflows/default", { workflow: wf });
    const res = await s.fetch("/api/v1/workflows/default/chatty/log?logOptions.follow=true");
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    const whileRunning = await s.api<Wf>("GET", "/api/v1/workflows/default/chatty");
    assert.equal(whileRunning.body.status?.phase, "Running", "the first line arrives while the step runs");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const lines = text.split("\n").filter(Boolean).map((l) => JSON.parse(l).result.content);
    assert.deepEqual(lines, ["start", "end"]);
    const done = await s.api<Wf>("GET", "/api/v1/workflows/default/chatty");
    assert.equal(done.body.status?.phase, "Succeeded");
  });
});
