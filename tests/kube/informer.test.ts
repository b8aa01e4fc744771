/**
 * The informer against a scripted API: it resumes from the last resourceVersion after any error,
 * lists again on 410, notices a watch that goes silent, and follows bookmarks.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import {
  ApiError,
  type KubeClient,
  type KubeList,
  type KubeObject,
  PODS,
  type WatchEvent,
  type WatchOptions,
} from "../../controller/kube/client.ts";
import { Informer, type InformerEvent } from "../../controller/kube/informer.ts";

type Step = { events: WatchEvent<KubeObject>[]; then?: "end" | "error" | "gone" | "stall" };

/** A client whose lists and watches follow a script. */
class ScriptedApi {
  lists: KubeList<KubeObject>[] = [];
  watches: Step[] = [];
  watchedFrom: (string | undefined)[] = [];
  listCalls = 0;

  listAll(): Promise<KubeList<KubeObject>> {
    this.listCalls++;
    const l = this.lists.shift();
    return l ? Promise.resolve(l) : Promise.reject(new ApiError(503, "Unavailable", "no list scripted"));
  }

  async *watch(
    _r: unknown,
    _ns: unknown,
    opts: WatchOptions,
    signal: AbortSignal,
  ): AsyncGenerator<WatchEvent<KubeObject>> {
    this.watchedFrom.push(opts.resourceVersion);
    const step = this.watches.shift();
    if (!step) {
      await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
      throw signal.reason ?? new Error("aborted");
    }
    for (const e of step.events) yield e;
    if (step.then === "error") throw new TypeError("error reading a body from connection");
    if (step.then === "gone") throw new ApiError(410, "Expired", "too old resource version");
    if (step.then === "stall") {
      await new Promise((r) => signal.addEventListener("abort", r, { once: true }));
      throw signal.reason ?? new Error("aborted");
    }
    await new Promise((r) => setTimeout(r, 1100)); // a normal end after a while
  }
}

function pod(name: string, rv: string): KubeObject {
  return { metadata: { name, namespace: "ns", resourceVersion: rv } };
}

function informer(api: ScriptedApi, idleMs = 10_000) {
  const inf = new Informer<KubeObject>({
    client: api as unknown as KubeClient,
    resource: PODS,
    idleMs,
    backoffMs: { initial: 10, max: 20 },
  });
  const seen: string[] = [];
  inf.subscribe((e: InformerEvent<KubeObject>) =>
    seen.push(`${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`)
  );
  return { inf, seen };
}

const until = async (what: string, cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

Deno.test("informer: after a dropped connection it resumes from the last resourceVersion it saw, with no relist", async () => {
  const api = new ScriptedApi();
  api.lists.push({ metadata: { resourceVersion: "10" }, items: [pod("a", "5")] });
  api.watches.push({ events: [{ type: "ADDED", object: pod("b", "11") }], then: "error" });
  api.watches.push({ events: [{ type: "MODIFIED", object: pod("a", "12") }], then: "stall" });
  const { inf, seen } = informer(api);
  inf.start();
  await inf.synced;
  await until("the second watch's event", () => seen.length === 3);
  deepEqual(seen, ["add a@5", "add b@11", "update a@12"]);
  deepEqual(api.watchedFrom, ["10", "11"]);
  equal(api.listCalls, 1);
  equal(inf.stats.failures, 1);
  await inf.stop();
});

Deno.test("informer: on 410 Gone it lists again and reports what changed meanwhile, deletions included", async () => {
  const api = new ScriptedApi();
  api.lists.push({ metadata: { resourceVersion: "10" }, items: [pod("a", "5"), pod("b", "6")] });
  api.watches.push({ events: [], then: "gone" });
  api.lists.push({ metadata: { resourceVersion: "30" }, items: [pod("a", "25"), pod("c", "28")] });
  api.watches.push({ events: [], then: "stall" });
  const { inf, seen } = informer(api);
  inf.start();
  await until("the relist", () => api.listCalls === 2 && seen.length === 5);
  deepEqual(seen, ["add a@5", "add b@6", "update a@25", "add c@28", "delete b@6"]);
  deepEqual(inf.list().map((o) => o.metadata.name).sort(), ["a", "c"]);
  equal(inf.resourceVersion, "30");
  deepEqual(api.watchedFrom, ["10", "30"]);
  await inf.stop();
});

Deno.test("informer: a watch that goes silent without an error is ended by the watchdog and resumed", async () => {
  const api = new ScriptedApi();
  api.lists.push({ metadata: { resourceVersion: "10" }, items: [] });
  api.watches.push({ events: [{ type: "ADDED", object: pod("a", "11") }], then: "stall" });
  api.watches.push({ events: [{ type: "ADDED", object: pod("b", "12") }], then: "stall" });
  const { inf, seen } = informer(api, 150);
  inf.start();
  await until("the event after the stall", () => seen.length === 2, 3000);
  deepEqual(seen, ["add a@11", "add b@12"]);
  ok(inf.stats.stalls >= 1);
  deepEqual(api.watchedFrom.slice(0, 2), ["10", "11"]);
  await inf.stop();
});

Deno.test("informer: bookmarks move the resourceVersion a watch resumes from, without events", async () => {
  const api = new ScriptedApi();
  api.lists.push({ metadata: { resourceVersion: "10" }, items: [] });
  api.watches.push({ events: [{ type: "BOOKMARK", object: pod("", "50") }], then: "error" });
  api.watches.push({ events: [], then: "stall" });
  const { inf, seen } = informer(api);
  inf.start();
  await until("the second watch", () => api.watchedFrom.length === 2);
  deepEqual(api.watchedFrom, ["10", "50"]);
  deepEqual(seen, []);
  await inf.stop();
});

Deno.test("informer: an index finds objects by a value, and follows updates and deletes", async () => {
  const api = new ScriptedApi();
  const labelled = (name: string, wf: string, rv: string): KubeObject => ({
    metadata: { name, namespace: "ns", resourceVersion: rv, labels: { wf } },
  });
  api.lists.push({
    metadata: { resourceVersion: "10" },
    items: [labelled("p1", "x", "1"), labelled("p2", "y", "2")],
  });
  api.watches.push({
    events: [
      { type: "MODIFIED", object: labelled("p2", "x", "11") },
      { type: "DELETED", object: labelled("p1", "x", "12") },
    ],
    then: "stall",
  });
  const { inf } = informer(api);
  inf.addIndex("wf", (o) => [o.metadata.labels!.wf!]);
  inf.start();
  await until("the events", () => inf.resourceVersion === "12");
  deepEqual(inf.byIndex("wf", "x").map((o) => o.metadata.name), ["p2"]);
  deepEqual(inf.byIndex("wf", "y"), []);
  await inf.stop();
});
