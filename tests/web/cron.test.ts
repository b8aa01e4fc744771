/**
 * CronWorkflows run by `skiff server` in real time: an `@every 1s` schedule (Argo's robfig syntax)
 * submits workflows through the host, the status counts them, the history limit prunes them,
 * suspend stops new runs, an update keeps the status, and deleting it deletes its workflows.
 */
import assert from "node:assert/strict";
import { eventually, withServer } from "./helpers.ts";

type Cron = {
  metadata: { name: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec: Record<string, unknown>;
  status?: { active?: { name: string }[]; lastScheduledTime?: string; succeeded?: number; failed?: number };
};
type List = {
  items: { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } }[];
};

Deno.test("an @every 1s CronWorkflow runs workflows through the server; suspend stops it; updates keep its status", async () => {
  await withServer(async (s) => {
    const created = await s.api<Cron>("POST", "/api/v1/cron-workflows/default", {
      cronWorkflow: {
        metadata: { name: "tick" },
        spec: {
          schedules: ["@every 1s"],
          successfulJobsHistoryLimit: 1,
          workflowSpec: {
            entrypoint: "main",
            templates: [{ name: "main", container: { image: "busybox", command: ["echo"], args: ["tick"] } }],
          },
        },
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));

    const children = async () =>
      (await s.api<List>(
        "GET",
        "/api/v1/workflows/default?listOptions.labelSelector=workflows.argoproj.io/cron-workflow%3Dtick",
      )).body.items;
    const counted = await eventually(
      async () => {
        const c = (await s.api<Cron>("GET", "/api/v1/cron-workflows/default/tick")).body;
        return (c.status?.succeeded ?? 0) >= 2 ? c : undefined;
      },
      20000,
      "two succeeded runs",
    );
    assert.match(counted.status?.lastScheduledTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const w of await children()) assert.match(w.metadata.name, /^tick-\d{10}$/);
    await eventually(
      async () => {
        const finished = (await children()).filter((w) => w.status?.phase === "Succeeded");
        return finished.length === 1 ? true : undefined;
      },
      10000,
      "one succeeded workflow kept (successfulJobsHistoryLimit: 1)",
    );

    const suspended = await s.api<Cron>("PUT", "/api/v1/cron-workflows/default/tick/suspend", {});
    assert.equal(suspended.status, 200);
    await new Promise((r) => setTimeout(r, 300)); // a run decided just before may still be submitted
    const names = (await children()).map((w) => w.metadata.name).sort();
    await new Promise((r) => setTimeout(r, 2200));
    const after = (await children()).map((w) => w.metadata.name);
    assert.ok(after.every((n) => names.includes(n)), `no new runs while suspended: ${names} -> ${after}`);

    const current = (await s.api<Cron>("GET", "/api/v1/cron-workflows/default/tick")).body;
    const { status: _, ...withoutStatus } = current;
    const updated = await s.api<Cron>("PUT", "/api/v1/cron-workflows/default/tick", {
      cronWorkflow: withoutStatus,
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.status?.lastScheduledTime, current.status?.lastScheduledTime);
    assert.ok((updated.body.status?.succeeded ?? 0) >= 2);

    assert.equal((await s.api("DELETE", "/api/v1/cron-workflows/default/tick")).status, 200);
    assert.deepEqual(await children(), [], "its workflows go with it (owner references)");
  });
});
