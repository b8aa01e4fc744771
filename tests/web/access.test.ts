/**
 * `--auth-mode client` in the web layer: which Kubernetes permission each API request needs, and
 * what a caller sees when the cluster refuses. The real cluster's answers are tested in
 * tests/kube/rbac_cases.ts; here a scripted CallerCheck stands beside it for the routes' table.
 */
import { deepStrictEqual, equal } from "node:assert/strict";
import { requestAttributes } from "../../web/access.ts";
import { admit, type Caller, type CallerCheck } from "../../web/auth.ts";
import type { RequestAttributes } from "../../web/access.ts";

Deno.test("each API request maps to the verb and resource Kubernetes RBAC knows", () => {
  const cases: [string, string, RequestAttributes | undefined][] = [
    ["GET", "/api/v1/workflows/ns", { verb: "list", resource: "workflows", namespace: "ns" }],
    ["POST", "/api/v1/workflows/ns", { verb: "create", resource: "workflows", namespace: "ns" }],
    ["POST", "/api/v1/workflows/ns/submit", { verb: "create", resource: "workflows", namespace: "ns" }],
    ["POST", "/api/v1/workflows/ns/lint", { verb: "create", resource: "workflows", namespace: "ns" }],
    ["GET", "/api/v1/workflows/ns/w", { verb: "get", resource: "workflows", namespace: "ns", name: "w" }],
    ["GET", "/api/v1/workflows/ns/w/log", { verb: "get", resource: "workflows", namespace: "ns", name: "w" }],
    ["DELETE", "/api/v1/workflows/ns/w", {
      verb: "delete",
      resource: "workflows",
      namespace: "ns",
      name: "w",
    }],
    ["PUT", "/api/v1/workflows/ns/w/resume", {
      verb: "update",
      resource: "workflows",
      namespace: "ns",
      name: "w",
    }],
    ["PUT", "/api/v1/workflows/ns/w/resubmit", { verb: "create", resource: "workflows", namespace: "ns" }],
    ["GET", "/api/v1/workflow-events/ns", { verb: "watch", resource: "workflows", namespace: "ns" }],
    ["GET", "/api/v1/workflow-templates/ns", {
      verb: "list",
      resource: "workflowtemplates",
      namespace: "ns",
    }],
    ["PUT", "/api/v1/workflow-templates/ns/t", {
      verb: "update",
      resource: "workflowtemplates",
      namespace: "ns",
      name: "t",
    }],
    ["GET", "/api/v1/cluster-workflow-templates", { verb: "list", resource: "clusterworkflowtemplates" }],
    ["DELETE", "/api/v1/cluster-workflow-templates/t", {
      verb: "delete",
      resource: "clusterworkflowtemplates",
      name: "t",
    }],
    ["PUT", "/api/v1/cron-workflows/ns/c/suspend", {
      verb: "update",
      resource: "cronworkflows",
      namespace: "ns",
      name: "c",
    }],
    ["GET", "/api/v1/version", undefined],
    ["GET", "/api/v1/info", undefined],
    ["GET", "/", undefined],
  ];
  for (const [method, path, want] of cases) {
    deepStrictEqual(requestAttributes(method, path), want, `${method} ${path}`);
  }
});

/** Scripted answers: tokens to users, and who may do what. */
function scripted(users: Record<string, string>, allowed: string[]): CallerCheck {
  return {
    review(token: string): Promise<Caller | undefined> {
      const username = users[token];
      return Promise.resolve(username ? { username, groups: [] } : undefined);
    },
    deny(caller: Caller, r: RequestAttributes): Promise<string | undefined> {
      return Promise.resolve(allowed.includes(`${caller.username} ${r.verb} ${r.resource}`) ? undefined : "");
    },
  };
}

Deno.test("client mode: 401 without or with a refused token, 403 with Kubernetes' words, else through", async () => {
  const check = scripted({ t1: "alice" }, ["alice list workflows"]);
  const auth = { mode: "client" as const, check };
  const req = (path: string, token?: string, method = "GET") =>
    new Request(`http://skiff${path}`, {
      method,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  equal((await admit(req("/api/v1/workflows/ns"), auth))?.code, 16);
  const refused = await admit(req("/api/v1/workflows/ns", "nope"), auth);
  equal(refused?.code, 16);
  equal(refused?.message, "token not valid: the cluster does not accept it");
  equal(await admit(req("/api/v1/workflows/ns", "t1"), auth), undefined);
  const denied = await admit(req("/api/v1/workflows/ns/w", "t1", "DELETE"), auth);
  equal(denied?.code, 7);
  equal(
    denied?.message,
    'workflows.argoproj.io "w" is forbidden: User "alice" cannot delete resource "workflows" in API group ' +
      '"argoproj.io" in the namespace "ns"',
  );
  equal(await admit(req("/api/v1/version", "t1"), auth), undefined);
  const broken: CallerCheck = {
    review: () => Promise.reject(new Error("connection refused")),
    deny: () => Promise.resolve(undefined),
  };
  const down = await admit(req("/api/v1/workflows/ns", "t1"), { mode: "client", check: broken });
  equal(down?.code, 14);
  equal(down?.message, "could not check the token with the cluster (TokenReview): connection refused");
});
