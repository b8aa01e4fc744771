/**
 * The server as a whole: bearer-token auth on every route (and `--auth-mode none` only on
 * loopback), the token file, info/version, /metrics, /openapi.json and the placeholder page.
 */
import assert from "node:assert/strict";
import { startServer } from "../../cli/server.ts";
import { CliError } from "../../cli/errors.ts";
import { echoWorkflow, phaseOf, withServer } from "./helpers.ts";

type OpenApi = {
  paths: Record<string, Record<string, { operationId: string }>>;
  components: { schemas: Record<string, unknown> };
};

Deno.test("every API route refuses a request without the token, or with a wrong one, with 401 code 16", async () => {
  await withServer(async (s) => {
    const doc = (await s.api<OpenApi>("GET", "/openapi.json")).body;
    const calls = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{\w+\}/g, "x"),
      }))
    );
    assert.ok(calls.length >= 39, `${calls.length} routes`);
    for (
      const c of [...calls, { method: "GET", path: "/metrics" }, { method: "GET", path: "/openapi.json" }]
    ) {
      const none = await fetch(s.url + c.path, { method: c.method });
      assert.equal(none.status, 401, `${c.method} ${c.path}`);
      const body = await none.json();
      assert.equal(body.code, 16);
      assert.match(body.message, /^token not valid: no bearer token/);
      const wrong = await fetch(s.url + c.path, {
        method: c.method,
        headers: { authorization: "Bearer nope" },
      });
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), {
        code: 16,
        message: "token not valid: the bearer token does not match this server's",
      });
    }
    const cookie = await fetch(s.url + "/api/v1/info", {
      headers: { cookie: `authorization=${encodeURIComponent(`Bearer ${s.token}`)}` },
    });
    assert.equal(cookie.status, 200, "the UI's cookie works too");
    await cookie.body?.cancel();
  });
});

Deno.test("GET / serves the web UI without a token", async () => {
  await withServer(async (s) => {
    const res = await fetch(s.url + "/");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /\/assets\/app\.js\?v=/);
  });
});

Deno.test("info, version and userinfo answer in Argo's shapes", async () => {
  await withServer(async (s) => {
    assert.deepEqual((await s.api("GET", "/api/v1/info")).body, {
      links: [],
      modals: {},
      navColor: "",
      columns: [],
    });
    const v = await s.api<Record<string, string>>("GET", "/api/v1/version");
    assert.equal(v.body.version, "v0.0.0-test");
    assert.equal(v.body.compiler, "deno");
    assert.deepEqual((await s.api("GET", "/api/v1/userinfo")).body, {});
  });
});

Deno.test("/metrics is Prometheus text: workflows by phase, nodes started, queue depth, reconcile histogram", async () => {
  await withServer(async (s) => {
    await s.api("POST", "/api/v1/workflows/default", { workflow: echoWorkflow("m") });
    await phaseOf(s, "m", "Succeeded");
    const res = await s.fetch("/metrics");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
    const text = await res.text();
    assert.match(text, /^# TYPE skiff_workflows gauge$/m);
    assert.match(text, /^skiff_workflows\{phase="Succeeded"\} 1$/m);
    assert.match(text, /^skiff_workflows\{phase="Running"\} 0$/m);
    assert.match(text, /^skiff_nodes_started_total 1$/m);
    assert.match(text, /^skiff_queue_depth 0$/m);
    assert.match(text, /^# TYPE skiff_reconcile_duration_seconds histogram$/m);
  });
});

Deno.test("/openapi.json describes the routes the server serves, with Argo's type names", async () => {
  await withServer(async (s) => {
    const doc = (await s.api<OpenApi & { openapi: string }>("GET", "/openapi.json")).body;
    assert.equal(doc.openapi, "3.0.3");
    assert.equal(doc.paths["/api/v1/workflows/{namespace}"]?.post?.operationId, "CreateWorkflow");
    assert.equal(
      doc.paths["/api/v1/workflows/{namespace}/{name}/resume"]?.put?.operationId,
      "ResumeWorkflow",
    );
    assert.equal(doc.paths["/api/v1/workflow-events/{namespace}"]?.get?.operationId, "WatchWorkflows");
    assert.equal(
      doc.paths["/api/v1/cron-workflows/{namespace}/{name}/suspend"]?.put?.operationId,
      "SuspendCronWorkflow",
    );
    for (
      const name of [
        "Workflow",
        "WorkflowSpec",
        "Template",
        "NodeStatus",
        "WorkflowCreateRequest",
        "LogEntry",
      ]
    ) {
      assert.ok(doc.components.schemas[`io.argoproj.workflow.v1alpha1.${name}`], name);
    }
    assert.ok(doc.components.schemas["io.k8s.api.core.v1.Container"]);
    // Every documented route answers (not 404 "no route") when called with the token.
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const res = await s.fetch(path.replace(/\{\w+\}/g, "x"), {
          method: method.toUpperCase(),
          body: method === "get" ? null : "{}",
        });
        const body = res.status === 200 && path.includes("events") ? "(a stream)" : await res.text();
        await res.body?.cancel().catch(() => {});
        assert.ok(!body.includes("no route") && res.status !== 405, `${method} ${path}: ${body}`);
      }
    }
  });
});

Deno.test("the token is generated once into the data dir and read again at the next start", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-token-" });
  const logs: string[] = [];
  const opts = {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    runtime: "process" as const,
    authMode: "token" as const,
    version: "v0",
    log: (l: string) => logs.push(l),
  };
  try {
    const first = await startServer(opts);
    await first.close();
    assert.ok(logs.some((l) => l.includes("generated an API token")));
    assert.ok(logs.some((l) => l.includes(first.token!)), "printed once");
    assert.equal((await Deno.readTextFile(`${dataDir}/token`)).trim(), first.token);
    assert.equal((await Deno.stat(`${dataDir}/token`)).mode! & 0o777, 0o600);
    logs.length = 0;
    const second = await startServer(opts);
    await second.close();
    assert.equal(second.token, first.token);
    assert.ok(!logs.some((l) => l.includes(first.token!)), "not printed again");
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("--auth-mode none serves without a token on loopback and is refused elsewhere", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-noauth-" });
  const opts = {
    port: 0,
    dataDir,
    runtime: "process" as const,
    authMode: "none" as const,
    version: "v0",
    log: () => {},
  };
  try {
    await assert.rejects(
      () => startServer({ ...opts, host: "0.0.0.0" }),
      (e: unknown) => e instanceof CliError && /only allowed on a loopback address/.test(e.message),
    );
    const server = await startServer({ ...opts, host: "127.0.0.1" });
    try {
      const res = await fetch(server.url + "/api/v1/workflows/default");
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { metadata: { resourceVersion: "0" }, items: [] });
    } finally {
      await server.close();
    }
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
