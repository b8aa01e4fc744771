/**
 * CronWorkflow decisions with a test clock: schedules and time zones, the workflow a run submits,
 * concurrency policies, suspend, `when`, missed runs and startingDeadlineSeconds, counting finished
 * workflows, stopStrategy and history limits.
 */
import assert from "node:assert/strict";
import type { CronWorkflow } from "../../controller/spec/types.ts";
import {
  type CronChild,
  cronChildWorkflow,
  type CronInput,
  decideCron,
  recordRun,
  rfc3339,
} from "../../controller/engine/cron.ts";
import { parseSchedule, schedulesOf } from "../../controller/engine/cron_schedule.ts";

const T = (s: string) => new Date(s);

function cron(spec: Partial<CronWorkflow["spec"]> = {}, extra: Partial<CronWorkflow> = {}): CronWorkflow {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    metadata: { name: "nightly", namespace: "default", uid: "cron-uid" },
    spec: {
      schedules: ["* * * * *"],
      timezone: "UTC",
      workflowSpec: { entrypoint: "main", templates: [{ name: "main", container: { image: "busybox" } }] },
      ...spec,
    },
    ...extra,
  };
}

/** Decides at `now`, times up to 30 s before dealt with, watched since long ago (unless `more` says otherwise). */
function at(c: CronWorkflow, now: string, more: Partial<CronInput> = {}) {
  return decideCron({
    cron: c,
    now: T(now),
    after: new Date(T(now).getTime() - 30_000),
    watchedSince: T("2026-01-01T00:00:00Z"),
    children: [],
    ...more,
  });
}

const running = (name: string, uid = `${name}-uid`): CronChild => ({ name, uid, phase: "Running" });

Deno.test("schedules: five fields, descriptors, @every, CRON_TZ and spec.timezone, legacy schedule", () => {
  const next = (s: string, after: string) => parseSchedule(s).next(T(after))?.toISOString();
  assert.equal(next("*/15 * * * *", "2026-03-08T06:31:00Z"), "2026-03-08T06:45:00.000Z");
  assert.equal(next("@hourly", "2026-03-08T06:31:00Z"), "2026-03-08T07:00:00.000Z");
  assert.equal(next("@midnight", "2026-03-08T06:31:00Z"), "2026-03-09T00:00:00.000Z");
  assert.equal(next("CRON_TZ=Asia/Tokyo 0 9 * * *", "2026-03-08T06:31:00Z"), "2026-03-09T00:00:00.000Z");
  assert.equal(
    next("0 9 1 * mon", "2026-03-24T00:00:00Z"),
    "2026-03-30T09:00:00.000Z",
    "day of month OR day of week",
  );
  assert.equal(next("@every 90s", "2026-03-08T06:31:00.700Z"), "2026-03-08T06:32:30.000Z");
  assert.equal(
    parseSchedule("@every 1m").latest(T("2026-03-08T06:00:00Z"), T("2026-03-08T06:10:30Z"))?.toISOString(),
    "2026-03-08T06:10:00.000Z",
  );
  assert.equal(
    parseSchedule("0 * * * *").latest(T("2026-03-08T06:00:00Z"), T("2026-03-08T06:59:59Z")),
    undefined,
  );
  assert.equal(
    parseSchedule("0 * * * *").latest(T("2026-03-08T05:00:00Z"), T("2026-03-08T09:00:00Z"))?.toISOString(),
    "2026-03-08T09:00:00.000Z",
    "the latest, the bound included",
  );
  assert.deepEqual(schedulesOf({ schedule: "0 1 * * *", timezone: "Europe/Paris" }), [
    "CRON_TZ=Europe/Paris 0 1 * * *",
  ]);
  assert.deepEqual(schedulesOf({ schedules: ["0 1 * * *", "@daily"] }), ["0 1 * * *", "@daily"]);
  assert.throws(() => parseSchedule("* * * *"), /schedule "\* \* \* \*"/);
  assert.throws(() => parseSchedule("CRON_TZ=Nowhere/Atall * * * * *"), /Nowhere\/Atall/);
});

Deno.test("a due time submits <cron>-<unix time> with Argo's labels, annotation and owner", () => {
  const c = cron({
    timezone: "Asia/Tokyo",
    schedules: ["0 9 * * *"],
    workflowMetadata: { labels: { team: "data" }, annotations: { note: "hi" } },
  }, {
    metadata: {
      name: "nightly",
      namespace: "default",
      uid: "cron-uid",
      labels: { "workflows.argoproj.io/creator": "ana", other: "x" },
    },
  });
  const d = at(c, "2026-03-09T00:00:00.200Z");
  const wf = d.run?.workflow;
  assert.ok(wf, "a run");
  assert.equal(d.run!.scheduledTime.toISOString(), "2026-03-09T00:00:00.000Z");
  assert.equal(wf.metadata.name, "nightly-1773014400");
  assert.equal(wf.metadata.namespace, "default");
  assert.deepEqual(wf.metadata.labels, {
    "workflows.argoproj.io/creator": "ana",
    "workflows.argoproj.io/cron-workflow": "nightly",
    team: "data",
  });
  assert.deepEqual(wf.metadata.annotations, {
    "workflows.argoproj.io/scheduled-time": "2026-03-09T09:00:00+09:00",
    note: "hi",
  });
  assert.deepEqual(wf.metadata.ownerReferences, [{
    apiVersion: "argoproj.io/v1alpha1",
    kind: "CronWorkflow",
    name: "nightly",
    uid: "cron-uid",
    controller: true,
    blockOwnerDeletion: true,
  }]);
  assert.deepEqual(wf.spec, c.spec.workflowSpec);
  assert.equal(d.wakeAt?.toISOString(), "2026-03-10T00:00:00.000Z");
  assert.equal(d.handledUntil.toISOString(), "2026-03-09T00:00:00.200Z");

  const idle = at(c, "2026-03-09T00:00:30Z", { after: T("2026-03-09T00:00:00.200Z") });
  assert.equal(idle.run, undefined, "a time is run once");
  assert.equal(idle.skipped, undefined);
  assert.equal(rfc3339(T("2026-07-01T12:00:00.999Z"), "America/New_York"), "2026-07-01T08:00:00-04:00");
  assert.equal(rfc3339(T("2026-07-01T12:00:00.999Z")), "2026-07-01T12:00:00Z");
});

Deno.test("recordRun: the workflow becomes active and its time the last scheduled; a failure is counted", () => {
  const c = cron();
  const d = at(c, "2026-03-09T00:01:00Z");
  const ok = recordRun(c, d.status, d.run!, { submitted: { name: "nightly-1773014460", uid: "u1" } });
  assert.deepEqual(ok.active?.map((r) => [r.name, r.uid, r.kind]), [[
    "nightly-1773014460",
    "u1",
    "Workflow",
  ]]);
  assert.equal(ok.lastScheduledTime, "2026-03-09T00:01:00Z");
  assert.equal(ok.phase, "Active");
  const bad = recordRun(c, d.status, d.run!, { error: "no such template" });
  assert.equal(bad.failed, 1);
  assert.deepEqual(bad.conditions, [{
    type: "SubmissionError",
    status: "True",
    message: "Failed to submit Workflow: no such template",
  }]);
  assert.equal(recordRun(c, bad, d.run!, { submitted: { name: "x", uid: "u2" } }).conditions, undefined);
});

Deno.test("concurrencyPolicy: Allow runs alongside, Forbid skips, Replace terminates the running ones first", () => {
  const status = { active: [{ name: "nightly-1", uid: "a" }] };
  const children = [running("nightly-1", "a")];
  const allow = at(cron({}, { status }), "2026-03-09T00:01:00Z", { children });
  assert.ok(allow.run);
  assert.deepEqual(allow.run.terminate, []);
  const forbid = at(cron({ concurrencyPolicy: "Forbid" }, { status }), "2026-03-09T00:01:00Z", { children });
  assert.equal(forbid.run, undefined);
  assert.match(forbid.skipped!.reason, /Forbid: nightly-1 still running/);
  const replace = at(cron({ concurrencyPolicy: "Replace" }, { status }), "2026-03-09T00:01:00Z", {
    children,
  });
  assert.deepEqual(replace.run?.terminate, ["nightly-1"]);
  // Forbid runs again once the running one has finished (it is then counted, not active).
  const later = at(cron({ concurrencyPolicy: "Forbid" }, { status }), "2026-03-09T00:02:00Z", {
    children: [{ name: "nightly-1", uid: "a", phase: "Succeeded", finishedAt: "2026-03-09T00:01:30Z" }],
  });
  assert.ok(later.run);
  assert.equal(later.status.succeeded, 1);
  assert.equal(later.status.active, undefined);
});

Deno.test("suspend and `when` skip a time; a `when` the expression core cannot evaluate is a SubmissionError", () => {
  assert.equal(at(cron({ suspend: true }), "2026-03-09T00:01:00Z").skipped?.reason, "suspended");
  const whenFailed = cron({ when: "{{= cronworkflow.failed < 2 }}" }, { status: { failed: 2 } });
  assert.match(at(whenFailed, "2026-03-09T00:01:00Z").skipped!.reason, /is false/);
  assert.ok(
    at(cron({ when: "{{= cronworkflow.failed < 2 }}" }, { status: { failed: 1 } }), "2026-03-09T00:01:00Z")
      .run,
  );
  assert.ok(at(cron({ when: "{{= cronworkflow.lastScheduledTime == nil }}" }), "2026-03-09T00:01:00Z").run);
  assert.ok(at(cron({ when: "{{cronworkflow.name}} == nightly" }), "2026-03-09T00:01:00Z").run);
  assert.ok(
    at(
      cron({ when: "{{= cronworkflow.labels['app.kubernetes.io/part-of'] == 'etl' }}" }, {
        metadata: { name: "nightly", labels: { "app.kubernetes.io/part-of": "etl" } },
      }),
      "2026-03-09T00:01:00Z",
    ).run,
  );
  const clock = at(
    cron({
      when:
        "{{= cronworkflow.lastScheduledTime == nil || (now() - cronworkflow.lastScheduledTime).Seconds() > 360 }}",
    }, {
      status: { lastScheduledTime: "2026-03-09T00:00:00Z" },
    }),
    "2026-03-09T00:01:00Z",
  );
  assert.equal(clock.run, undefined);
  assert.equal(clock.status.failed, 1);
  assert.match(
    clock.status.conditions?.[0]?.message ?? "",
    /^run policy error: when "\{\{= .*\}\}": .*no clock: now\(\)/,
  );
});

Deno.test("missed times: only the latest runs, and only within startingDeadlineSeconds", () => {
  // The server was stopped from 00:01:30 to 00:05:20; the last run was 00:01.
  const restart = { after: T("2026-03-09T00:01:00Z"), watchedSince: T("2026-03-09T00:05:20Z") };
  const status = { lastScheduledTime: "2026-03-09T00:01:00Z" };
  const none = at(cron({}, { status }), "2026-03-09T00:05:20Z", restart);
  assert.equal(none.run, undefined);
  assert.match(none.skipped!.reason, /missed .*set startingDeadlineSeconds/);
  assert.equal(none.handledUntil.toISOString(), "2026-03-09T00:05:20.000Z");
  assert.equal(none.wakeAt?.toISOString(), "2026-03-09T00:06:00.000Z");
  const late = at(cron({ startingDeadlineSeconds: 30 }, { status }), "2026-03-09T00:05:20Z", restart);
  assert.equal(late.run?.scheduledTime.toISOString(), "2026-03-09T00:05:00.000Z");
  assert.equal(late.run?.workflow.metadata.name, "nightly-1773014700");
  const tooLate = at(cron({ startingDeadlineSeconds: 10 }, { status }), "2026-03-09T00:05:20Z", restart);
  assert.match(tooLate.skipped!.reason, /missed by more than startingDeadlineSeconds \(10\)/);
});

Deno.test("finished workflows are counted once, running ones found, lastScheduledTime recovered", () => {
  const c = cron({}, {
    status: {
      active: [{ name: "a", uid: "a" }, { name: "b", uid: "b" }, { name: "gone", uid: "g" }],
      failed: 1,
    },
  });
  const d = at(c, "2026-03-09T00:00:30Z", {
    after: T("2026-03-08T23:59:50Z"),
    children: [
      { name: "a", uid: "a", phase: "Succeeded", finishedAt: "2026-03-09T00:00:10Z" },
      { name: "b", uid: "b", phase: "Error", finishedAt: "2026-03-09T00:00:11Z" },
      { name: "c", uid: "c", phase: "Running", scheduledTime: "2026-03-09T00:00:00Z" },
    ],
  });
  assert.deepEqual([d.status.succeeded, d.status.failed], [1, 2]);
  assert.deepEqual(d.status.active?.map((r) => r.name), ["c"]);
  assert.equal(d.status.lastScheduledTime, "2026-03-09T00:00:00Z");
  assert.equal(d.run, undefined, "00:00 has its workflow already");
});

Deno.test("stopStrategy stops scheduling for good; a bad expression is a SpecError", () => {
  const c = cron({ stopStrategy: { expression: "cronworkflow.failed >= 2" } }, {
    status: { failed: 1, active: [{ name: "x", uid: "x" }] },
  });
  const d = at(c, "2026-03-09T00:01:00Z", {
    children: [{ name: "x", uid: "x", phase: "Failed", finishedAt: "2026-03-09T00:00:40Z" }],
  });
  assert.equal(d.status.phase, "Stopped");
  assert.deepEqual(d.addLabels, { "workflows.argoproj.io/cron-workflow-completed": "true" });
  assert.equal(d.run, undefined);
  assert.equal(d.wakeAt, undefined);
  const stopped = at(
    cron({ stopStrategy: { expression: "cronworkflow.failed >= 2" } }, { status: d.status }),
    "2026-03-09T00:02:00Z",
  );
  assert.equal(stopped.run, undefined);

  const bad = at(cron({ stopStrategy: { expression: "cronworkflow.failed" } }), "2026-03-09T00:01:00Z");
  assert.equal(bad.run, undefined);
  assert.match(bad.status.conditions?.[0]?.message ?? "", /stopping condition: .*expected bool/);
});

Deno.test("history limits delete the oldest finished workflows (defaults 3 succeeded, 1 failed)", () => {
  const done = (name: string, phase: string, minute: number): CronChild => ({
    name,
    uid: name,
    phase,
    finishedAt: `2026-03-09T00:0${minute}:00Z`,
  });
  const children = [
    done("s1", "Succeeded", 1),
    done("s2", "Succeeded", 2),
    done("s3", "Succeeded", 3),
    done("s4", "Succeeded", 4),
    done("f1", "Failed", 1),
    done("f2", "Error", 2),
    running("r"),
  ];
  assert.deepEqual(at(cron(), "2026-03-09T00:09:30Z", { children }).deleteWorkflows, ["f1", "s1"]);
  const kept = cron({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
  assert.deepEqual(at(kept, "2026-03-09T00:09:30Z", { children }).deleteWorkflows, [
    "f1",
    "f2",
    "s1",
    "s2",
    "s3",
  ]);
});

Deno.test("a CronWorkflow without valid schedules reports a SpecError and schedules nothing", () => {
  const d = at(cron({ schedules: ["61 * * * *"] }), "2026-03-09T00:01:00Z");
  assert.equal(d.run, undefined);
  assert.equal(d.wakeAt, undefined);
  assert.match(
    d.status.conditions?.[0]?.message ?? "",
    /^invalid CronWorkflow: schedule "CRON_TZ=UTC 61 \* \* \* \*"/,
  );
  assert.equal(cronChildWorkflow(cron(), T("2026-03-09T00:01:00.500Z")).metadata.name, "nightly-1773014460");
});
