/** The REST client against a scripted HTTP server: paths, patch content types, errors, watch streams, deadlines. */
import { deepEqual, equal, ok, rejects } from "node:assert/strict";
import {
  ApiError,
  isAlreadyExists,
  isConflict,
  isGone,
  KubeClient,
  PODS,
  WORKFLOWS,
} from "../../controller/kube/client.ts";

type Handler = (req: Request) => Response | Promise<Response>;

interface Seen {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

async function withServer(
  handler: Handler,
  fn: (client: KubeClient, seen: Seen[]) => Promise<void>,
): Promise<void> {
  const seen: Seen[] = [];
  const ac = new AbortController();
  const listening = Promise.withResolvers<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: (a) => listening.resolve(a.port) },
    async (req) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: await req.text() });
      return handler(req);
    },
  );
  const client = new KubeClient({
    server: `http://127.0.0.1:${await listening.promise}`,
    authorization: () => "Bearer t0k",
  }, { timeoutMs: 300 });
  try {
    await fn(client, seen);
  } finally {
    client.close();
    ac.abort();
    await server.finished;
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

Deno.test("client: paths of core and custom resources, auth header, field manager, and patch content types", async () => {
  await withServer(() => json({ metadata: { name: "x" } }), async (client, seen) => {
    await client.get(WORKFLOWS, "ns", "wf1");
    await client.get(PODS, "ns", "p1");
    await client.list(PODS, undefined, { labelSelector: "a=b,c!=d" });
    await client.patch(WORKFLOWS, "ns", "wf1", "merge", { metadata: { labels: { x: "y" } } });
    await client.patch(PODS, "ns", "p1", "merge", { status: {} }, { subresource: "status" });
    await client.replace(WORKFLOWS, "ns", "wf1", { metadata: { name: "wf1", resourceVersion: "5" } }, {
      subresource: "status",
    });
    const urls = seen.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`);
    deepEqual(urls, [
      "GET /apis/argoproj.io/v1alpha1/namespaces/ns/workflows/wf1",
      "GET /api/v1/namespaces/ns/pods/p1",
      "GET /api/v1/pods?labelSelector=a%3Db%2Cc%21%3Dd",
      "PATCH /apis/argoproj.io/v1alpha1/namespaces/ns/workflows/wf1?fieldManager=skiff",
      "PATCH /api/v1/namespaces/ns/pods/p1/status?fieldManager=skiff",
      "PUT /apis/argoproj.io/v1alpha1/namespaces/ns/workflows/wf1/status?fieldManager=skiff",
    ]);
    equal(seen[0]!.headers.get("authorization"), "Bearer t0k");
    equal(seen[3]!.headers.get("content-type"), "application/merge-patch+json");
    const put = JSON.parse(seen[5]!.body);
    equal(put.kind, "Workflow");
    equal(put.apiVersion, "argoproj.io/v1alpha1");
    equal(put.metadata.resourceVersion, "5");
  });
});

Deno.test("client: Kubernetes' Status errors become ApiErrors that say which they are", async () => {
  const answers = [
    json({ kind: "Status", reason: "AlreadyExists", message: 'pods "p" already exists' }, 409),
    json({ kind: "Status", reason: "Conflict", message: "the object has been modified" }, 409),
    json({ kind: "Status", reason: "NotFound", message: "not found" }, 404),
  ];
  await withServer(() => answers.shift()!, async (client) => {
    await rejects(
      () => client.create(PODS, "ns", { metadata: { name: "p" } }),
      (e) => isAlreadyExists(e) && !isConflict(e),
    );
    await rejects(
      () => client.replace(PODS, "ns", "p", { metadata: { name: "p" } }),
      (e) => isConflict(e) && !isAlreadyExists(e),
    );
    equal(await client.delete(PODS, "ns", "p"), false, "deleting what is gone is not an error");
  });
});

Deno.test("client: a call that gets no answer fails at its deadline instead of hanging", async () => {
  await withServer(() => new Promise<Response>(() => {}), async (client) => {
    const t0 = Date.now();
    await rejects(() => client.get(PODS, "ns", "p"), (e) => e instanceof ApiError && e.status === 504);
    ok(Date.now() - t0 < 3000);
  });
});

Deno.test("client: a watch yields events split across chunks, and an ERROR event is thrown (410 Gone)", async () => {
  await withServer((req) => {
    const url = new URL(req.url);
    equal(url.searchParams.get("watch"), "true");
    equal(url.searchParams.get("allowWatchBookmarks"), "true");
    const lines = [
      JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } }),
      JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } }),
      JSON.stringify({
        type: "ERROR",
        object: { kind: "Status", code: 410, reason: "Expired", message: "too old resource version: 1 (3)" },
      }),
    ].join("\n") + "\n";
    const bytes = new TextEncoder().encode(lines);
    const body = new ReadableStream({
      start(c) {
        for (let i = 0; i < bytes.length; i += 7) c.enqueue(bytes.slice(i, i + 7)); // split anywhere
        c.close();
      },
    });
    return new Response(body);
  }, async (client) => {
    const seen: string[] = [];
    await rejects(async () => {
      for await (
        const ev of client.watch(
          PODS,
          "ns",
          { resourceVersion: "1", allowWatchBookmarks: true },
          new AbortController().signal,
        )
      ) {
        seen.push(`${ev.type} ${ev.object.metadata.resourceVersion}`);
      }
    }, (e) => isGone(e));
    deepEqual(seen, ["ADDED 2", "BOOKMARK 3"]);
  });
});
