/**
 * CronWorkflows scheduled by the Kubernetes host on the real API server (tier a: the fake kubelet
 * runs the steps). A schedule of every minute is too slow for tests, so the controller's cron clock
 * is driven by the test (`cron.now`), as the local host's tests do: a `* * * * *` CronWorkflow gets
 * `<name>-<unix seconds>` at the minute, labelled and owned as in Argo, its status follows the run,
 * the history limits delete older runs; Forbid skips and Replace terminates a running workflow;
 * a restarted controller runs a missed time only within startingDeadlineSeconds; suspend skips;
 * and with a clock near a minute's end the controller's own timer fires the run.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { CRON_WORKFLOWS, WORKFLOWS } from "../../controller/kube/client.ts";
import type { CronObject } from "../../controller/kube/cron.ts";
import type { WorkflowObject } from "../../controller/kube/reconciler.ts";
import type { CronWorkflow } from "../../controller/spec/types.ts";
import { eventually, type TestCluster } from "./cluster.ts";
import { type Harness, newHarness } from "./harness.ts";

/** A `* * * * *` CronWorkflow (UTC) whose workflow echoes its scheduled time. */
function cronWorkflow(
  name: string,
  spec: Partial<CronWorkflow["spec"]> = {},
  suspendStep = false,
): CronWorkflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name },
    spec: {
      schedules: ["* * * * *"],
      timezone: "UTC",
      workflowSpec: {
        entrypoint: "main",
        templates: suspendStep ? [{ name: "main", suspend: {} }] : [{
          name: "main",
          container: { image: "busybox", command: ["sh", "-c", "echo {{workflow.scheduledTime}}"] },
        }],
      },
      ...spec,
    },
  };
}

/** The unix seconds of an ISO time: the suffix of the workflow Argo names after it. */
const unix = (iso: string) => Date.parse(iso) / 1000;

export function defineCronTests(cluster: () => Promise<TestCluster>, skip: string | undefined): void {
  const test = (name: string, fn: (c: TestCluster) => Promise<void>) =>
    Deno.test({
      name: `kube cron: ${name}${skip ? ` (skipped: ${skip})` : ""}`,
      ignore: skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => await fn(await cluster()),
    });

  /** A harness whose controller schedules by `clock.now`; the CronWorkflow created and seen by it. */
  async function setUp(c: TestCluster, prefix: string, crons: CronWorkflow[], start: string) {
    const clock = { now: new Date(start) };
    const h = await newHarness(c, prefix, {
      controller: { cron: { now: () => clock.now, syncMs: 3_600_000 } },
    });
    for (const cron of crons) await h.service.createCronWorkflow(h.namespace, cron);
    for (const cron of crons) {
      await eventually(
        `the controller to see CronWorkflow ${cron.metadata.name}`,
        () => h.controller.crons.get(h.namespace, cron.metadata.name!),
        10_000,
        50,
      );
    }
    return { h, clock };
  }

  const getCron = (h: Harness, name: string) => h.client.get<CronObject>(CRON_WORKFLOWS, h.namespace, name);
  const children = async (h: Harness, cron: string) =>
    (await h.client.list<WorkflowObject>(WORKFLOWS, h.namespace, {
      labelSelector: `workflows.argoproj.io/cron-workflow=${cron}`,
    })).items.map((w) => w.metadata.name!).sort();

  test("a * * * * * CronWorkflow creates <name>-<unix seconds> at the minute, labelled and owned; status follows; history limits prune", async (c) => {
    const { h, clock } = await setUp(
      c,
      "cron",
      [cronWorkflow("every-minute", { successfulJobsHistoryLimit: 1 })],
      "2026-03-09T00:00:30Z",
    );
    try {
      const ns = h.namespace;
      equal((await h.controller.cron.sync(ns, "every-minute"))?.run, undefined, "nothing is due at 00:00:30");
      deepEqual(await children(h, "every-minute"), []);

      clock.now = new Date("2026-03-09T00:01:00.300Z");
      await h.controller.cron.sync(ns, "every-minute");
      const name1 = `every-minute-${unix("2026-03-09T00:01:00Z")}`;
      deepEqual(await children(h, "every-minute"), [name1]);
      const cron = await getCron(h, "every-minute");
      const wf = await h.client.get<WorkflowObject>(WORKFLOWS, ns, name1);
      equal(wf.metadata.labels?.["workflows.argoproj.io/cron-workflow"], "every-minute");
      equal(wf.metadata.annotations?.["workflows.argoproj.io/scheduled-time"], "2026-03-09T00:01:00Z");
      deepEqual(wf.metadata.ownerReferences, [{
        apiVersion: "argoproj.io/v1alpha1",
        kind: "CronWorkflow",
        name: "every-minute",
        uid: cron.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      }]);
      equal(cron.status?.lastScheduledTime, "2026-03-09T00:01:00Z");
      equal(cron.status?.phase, "Active");
      deepEqual(cron.status?.active?.map((r) => [r.kind, r.name, r.uid]), [[
        "Workflow",
        name1,
        wf.metadata.uid,
      ]]);
      equal(
        cron.metadata.annotations?.["cronworkflows.argoproj.io/last-used-schedule"],
        "CRON_TZ=UTC * * * * *",
      );

      const done = await h.waitDone(name1);
      equal(done.status?.phase, "Succeeded", done.status?.message ?? "");
      equal(
        Object.values(done.status?.nodes ?? {})[0]?.outputs?.result,
        "2026-03-09T00:01:00Z",
        "{{workflow.scheduledTime}}",
      );
      // the finished workflow leaves `active` and counts as succeeded (no sync called: its end triggers one)
      const after = await eventually("the CronWorkflow to count the run", async () => {
        const c = await getCron(h, "every-minute");
        return c.status?.succeeded === 1 && !c.status.active ? c : undefined;
      }, 30_000);
      equal(after.status?.lastScheduledTime, "2026-03-09T00:01:00Z");

      clock.now = new Date("2026-03-09T00:01:20Z");
      equal((await h.controller.cron.sync(ns, "every-minute"))?.run, undefined, "the minute runs once");

      clock.now = new Date("2026-03-09T00:02:00.100Z");
      await h.controller.cron.sync(ns, "every-minute");
      const name2 = `every-minute-${unix("2026-03-09T00:02:00Z")}`;
      equal((await h.waitDone(name2)).status?.phase, "Succeeded");
      // successfulJobsHistoryLimit 1: the older run is deleted once the newer one is done
      await eventually("the older run to be deleted", async () => {
        const names = await children(h, "every-minute");
        return names.length === 1 && names[0] === name2 ? true : undefined;
      }, 30_000);
      // (deleted first, then the status written)
      await eventually(
        "the second run to be counted",
        async () => (await getCron(h, "every-minute")).status?.succeeded === 2 || undefined,
        30_000,
      );
    } finally {
      await h.close();
    }
  });

  test("concurrencyPolicy Forbid skips a time while a run is active; Replace terminates the running one first", async (c) => {
    const { h, clock } = await setUp(c, "cronpol", [
      cronWorkflow("forbid", { concurrencyPolicy: "Forbid" }, true),
      cronWorkflow("replace", { concurrencyPolicy: "Replace" }, true),
    ], "2026-03-09T00:00:30Z");
    try {
      const ns = h.namespace;
      clock.now = new Date("2026-03-09T00:01:00.200Z");
      for (const name of ["forbid", "replace"]) {
        equal(
          (await h.controller.cron.sync(ns, name))?.run?.scheduledTime.toISOString(),
          "2026-03-09T00:01:00.000Z",
        );
        const wf = `${name}-${unix("2026-03-09T00:01:00Z")}`;
        await eventually(`${wf} to wait at its suspend step`, async () => {
          const w = await h.get(wf);
          return w.status?.phase === "Running" ? true : undefined;
        });
      }

      // (the decisions are not asserted: a sync the controller starts itself may make them first)
      clock.now = new Date("2026-03-09T00:02:00.200Z");
      await h.controller.cron.sync(ns, "forbid");
      deepEqual(await children(h, "forbid"), ["forbid-1773014460"], "Forbid: no second run");
      equal((await getCron(h, "forbid")).status?.lastScheduledTime, "2026-03-09T00:01:00Z");
      equal((await h.get("forbid-1773014460")).status?.phase, "Running");

      await h.controller.cron.sync(ns, "replace");
      const old = await h.waitDone("replace-1773014460", 60_000, false);
      equal(old.spec.shutdown, "Terminate");
      equal(old.status?.phase, "Failed");
      deepEqual(await children(h, "replace"), ["replace-1773014460", "replace-1773014520"]);
      const status = (await eventually("the replaced run to leave active", async () => {
        const c = await getCron(h, "replace");
        return c.status?.active?.length === 1 ? c : undefined;
      }, 30_000)).status;
      equal(status?.active?.[0]?.name, "replace-1773014520");
      equal(status?.failed, 1);
    } finally {
      await h.close();
    }
  });

  test("a restarted controller runs a missed time only within startingDeadlineSeconds; suspend skips", async (c) => {
    const { h, clock } = await setUp(
      c,
      "cronmiss",
      [cronWorkflow("late", { startingDeadlineSeconds: 30 })],
      "2026-03-09T00:00:30Z",
    );
    try {
      const ns = h.namespace;
      clock.now = new Date("2026-03-09T00:01:00.100Z");
      await h.controller.cron.sync(ns, "late");
      equal((await h.waitDone("late-1773014460")).status?.phase, "Succeeded");

      // down from 00:01:30 to 00:03:10: 00:02 and 00:03 were missed; 00:03 by 10 s, within the 30 s
      await h.controller.stop();
      clock.now = new Date("2026-03-09T00:03:10Z");
      const second = h.newController({ cron: { now: () => clock.now, syncMs: 3_600_000 } });
      await second.start();
      await second.waitUntilLeading(30_000);
      await eventually(
        "the missed 00:03 run",
        async () => (await children(h, "late")).length === 2 || undefined,
      );
      deepEqual(await children(h, "late"), ["late-1773014460", "late-1773014580"], "00:02 is not run");
      await h.waitDone("late-1773014580");

      // down again until 00:05:45: 00:05 was missed by 45 s, beyond the deadline
      await second.stop();
      clock.now = new Date("2026-03-09T00:05:45Z");
      const third = h.newController({ cron: { now: () => clock.now, syncMs: 3_600_000 } });
      await third.start();
      await third.waitUntilLeading(30_000);
      await eventually("the controller to see the CronWorkflow", () => third.crons.get(ns, "late"));
      await third.cron.sync(ns, "late");
      deepEqual(await children(h, "late"), ["late-1773014460", "late-1773014580"], "00:05 is not run");

      await h.service.suspendCronWorkflow(ns, "late");
      await eventually(
        "the controller to see the suspension",
        () => third.crons.get(ns, "late")?.spec.suspend,
      );
      clock.now = new Date("2026-03-09T00:06:00.100Z");
      await third.cron.sync(ns, "late");
      deepEqual(await children(h, "late"), ["late-1773014460", "late-1773014580"]);
    } finally {
      await h.close();
    }
  });

  test("the controller's own timer runs the CronWorkflow at the minute (no sync called by the test)", async (c) => {
    // a clock 1.5 s before a minute's end: the run is due 1.5 s of real time after the CronWorkflow is seen
    const minute = Date.UTC(2026, 2, 9, 0, 5);
    let offset = 0;
    const h = await newHarness(c, "crontimer", {
      controller: { cron: { now: () => new Date(Date.now() + offset), syncMs: 3_600_000 } },
    });
    try {
      offset = minute - 1500 - Date.now();
      await h.service.createCronWorkflow(h.namespace, cronWorkflow("timer"));
      const name = `timer-${minute / 1000}`;
      await eventually(
        `${name} to be created`,
        async () => (await children(h, "timer")).includes(name) || undefined,
        20_000,
      );
      deepEqual(await children(h, "timer"), [name]);
      equal((await h.waitDone(name)).status?.phase, "Succeeded");
      ok((await getCron(h, "timer")).status?.lastScheduledTime === "2026-03-09T00:05:00Z");
    } finally {
      await h.close();
    }
  });
}
