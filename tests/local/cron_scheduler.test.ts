/**
 * The CronWorkflow scheduler over a real local host (process runtime), with the clock driven by the
 * test: a `* * * * *` schedule submits its workflow at the minute, finished workflows are counted
 * and deleted beyond the history limit, a restarted scheduler runs the latest missed time only within
 * startingDeadlineSeconds, and Replace terminates the running workflow.
 */
import assert from "node:assert/strict";
import type { CronWorkflow, Workflow } from "../../controller/spec/types.ts";
import { LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { ObjectTable } from "../../controller/local/service_objects.ts";
import { CronScheduler } from "../../controller/local/cron_scheduler.ts";

async function setUp() {
  const dir = await Deno.makeTempDir({ prefix: "skiff-cron-" });
  const runtime = new ProcessRuntime({ dataDir: dir, graceSeconds: 2, warn: () => {} });
  const host = new LocalHost({ store: Store.open(dir), runtime });
  const clock = { now: new Date("2026-03-09T00:00:30Z") };
  const objects = new ObjectTable(host.store.db);
  const scheduler = () => new CronScheduler({ host, now: () => clock.now, syncMs: 3_600_000, log: () => {} });
  const cronOf = (name: string) => objects.get<CronWorkflow>("CronWorkflow", "default", name)!.object;
  return { host, clock, objects, scheduler, cronOf };
}

function cronWorkflow(
  name: string,
  spec: Partial<CronWorkflow["spec"]> = {},
  command = "echo {{workflow.scheduledTime}}",
): CronWorkflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name, namespace: "default" },
    spec: {
      schedules: ["* * * * *"],
      timezone: "UTC",
      workflowSpec: {
        entrypoint: "main",
        templates: [{ name: "main", container: { image: "busybox", command: ["sh", "-c", command] } }],
      },
      ...spec,
    },
  };
}

Deno.test("a * * * * * CronWorkflow submits <name>-<unix time> through the host; finished runs are counted and pruned", async () => {
  const { host, clock, objects, scheduler, cronOf } = await setUp();
  objects.create("CronWorkflow", "default", cronWorkflow("every-minute", { successfulJobsHistoryLimit: 1 }));
  const cron = scheduler();
  try {
    cron.start();
    assert.equal(host.store.listWorkflows().length, 0, "nothing is due at 00:00:30");

    clock.now = new Date("2026-03-09T00:01:00.300Z");
    const first = cron.sync("default", "every-minute");
    assert.equal(first?.run?.workflow.metadata.name, "every-minute-1773014460");
    const done = await host.waitFor("default", "every-minute-1773014460");
    assert.equal(done.phase, "Succeeded", done.object.status?.message ?? "");
    const wf: Workflow = done.object;
    assert.equal(wf.metadata.labels?.["workflows.argoproj.io/cron-workflow"], "every-minute");
    assert.equal(wf.metadata.annotations?.["workflows.argoproj.io/scheduled-time"], "2026-03-09T00:01:00Z");
    const node = Object.values(wf.status!.nodes!)[0]!;
    assert.equal(node.outputs?.result, "2026-03-09T00:01:00Z", "{{workflow.scheduledTime}}");
    let status = cronOf("every-minute").status;
    assert.equal(status?.lastScheduledTime, "2026-03-09T00:01:00Z");
    assert.equal(status?.phase, "Active");
    assert.equal(
      cronOf("every-minute").metadata.annotations?.["cronworkflows.argoproj.io/last-used-schedule"],
      "CRON_TZ=UTC * * * * *",
    );

    clock.now = new Date("2026-03-09T00:01:20Z");
    assert.equal(cron.sync("default", "every-minute")?.run, undefined, "the minute is run once");
    status = cronOf("every-minute").status;
    assert.deepEqual([status?.succeeded, status?.active], [1, undefined]);

    clock.now = new Date("2026-03-09T00:02:00.100Z");
    cron.sync("default", "every-minute");
    assert.equal((await host.waitFor("default", "every-minute-1773014520")).phase, "Succeeded");
    clock.now = new Date("2026-03-09T00:02:10Z");
    assert.deepEqual(cron.sync("default", "every-minute")?.deleteWorkflows, ["every-minute-1773014460"]);
    assert.equal(
      host.get("default", "every-minute-1773014460"),
      undefined,
      "beyond successfulJobsHistoryLimit",
    );
    assert.equal(cronOf("every-minute").status?.succeeded, 2);
  } finally {
    cron.close();
    await host.close();
    host.store.close();
  }
});

Deno.test("a restarted scheduler runs the latest missed time only within startingDeadlineSeconds", async () => {
  const { host, clock, objects, scheduler } = await setUp();
  objects.create("CronWorkflow", "default", cronWorkflow("late-ok", { startingDeadlineSeconds: 60 }));
  objects.create("CronWorkflow", "default", cronWorkflow("no-deadline"));
  const before = scheduler();
  before.start();
  clock.now = new Date("2026-03-09T00:01:00.500Z");
  before.syncAll();
  assert.deepEqual(host.store.listWorkflows().map((w) => w.name).sort(), [
    "late-ok-1773014460",
    "no-deadline-1773014460",
  ]);
  before.close(); // stopped from 00:01:30 to 00:05:20

  clock.now = new Date("2026-03-09T00:05:20Z");
  const after = scheduler();
  try {
    after.start();
    assert.deepEqual(host.store.listWorkflows().map((w) => w.name).sort(), [
      "late-ok-1773014460",
      "late-ok-1773014700",
      "no-deadline-1773014460",
    ]);
    for (const w of host.store.listWorkflows()) await host.waitFor("default", w.name);
  } finally {
    after.close();
    await host.close();
    host.store.close();
  }
});

Deno.test("resuming a suspended CronWorkflow runs the time missed meanwhile within startingDeadlineSeconds", async () => {
  const { host, clock, objects, scheduler, cronOf } = await setUp();
  objects.create("CronWorkflow", "default", cronWorkflow("paused", { startingDeadlineSeconds: 60 }));
  objects.create("CronWorkflow", "default", cronWorkflow("paused-long"));
  const cron = scheduler();
  const setSuspend = (name: string, suspend: boolean) => {
    const c = cronOf(name);
    objects.update("CronWorkflow", "default", name, { ...c, spec: { ...c.spec, suspend } });
    cron.changed("default", name);
  };
  try {
    cron.start();
    clock.now = new Date("2026-03-09T00:01:00Z");
    cron.syncAll(); // both run at 00:01
    setSuspend("paused", true);
    setSuspend("paused-long", true);
    clock.now = new Date("2026-03-09T00:02:00Z");
    assert.match(cron.sync("default", "paused")?.skipped?.reason ?? "", /suspended/);
    cron.sync("default", "paused-long");
    clock.now = new Date("2026-03-09T00:02:40Z");
    setSuspend("paused", false);
    setSuspend("paused-long", false);
    assert.deepEqual(host.store.listWorkflows().map((w) => w.name).sort(), [
      "paused-1773014460",
      "paused-1773014520",
      "paused-long-1773014460",
    ]);
    for (const w of host.store.listWorkflows()) await host.waitFor("default", w.name);
  } finally {
    cron.close();
    await host.close();
    host.store.close();
  }
});

Deno.test("concurrencyPolicy Replace terminates the running workflow before submitting the next", async () => {
  const { host, clock, objects, scheduler, cronOf } = await setUp();
  objects.create(
    "CronWorkflow",
    "default",
    cronWorkflow("replace", { concurrencyPolicy: "Replace" }, "sleep 60"),
  );
  const cron = scheduler();
  try {
    cron.start();
    clock.now = new Date("2026-03-09T00:01:00Z");
    cron.sync("default", "replace");
    assert.deepEqual(cronOf("replace").status?.active?.map((r) => r.name), ["replace-1773014460"]);
    clock.now = new Date("2026-03-09T00:02:00Z");
    const d = cron.sync("default", "replace");
    assert.deepEqual(d?.run?.terminate, ["replace-1773014460"]);
    const old = await host.waitFor("default", "replace-1773014460");
    assert.equal(old.phase, "Failed");
    assert.equal(old.object.spec.shutdown, "Terminate");
    assert.equal(host.get("default", "replace-1773014520")?.object.spec.shutdown, undefined);
    host.update(
      "default",
      "replace-1773014520",
      (w) => ({ ...w, spec: { ...w.spec, shutdown: "Terminate" } }),
    );
    await host.waitFor("default", "replace-1773014520");
    clock.now = new Date("2026-03-09T00:02:10Z");
    cron.sync("default", "replace");
    assert.deepEqual([cronOf("replace").status?.failed, cronOf("replace").status?.active], [2, undefined]);
  } finally {
    cron.close();
    await host.close();
    host.store.close();
  }
});
