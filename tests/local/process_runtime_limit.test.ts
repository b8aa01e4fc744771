/**
 * The process runtime's limit on steps running at once (`--max-steps`): steps over it wait,
 * Pending, in the order they came, and start as others end. Checked on the real processes.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { defaultMaxSteps, StepSlots } from "../../controller/local/runtime/slots.ts";
import { runSpec, wfName } from "./helpers.ts";
import { parseMaxSteps } from "../../cli/run_runtime.ts";
import { CliError } from "../../cli/errors.ts";

/**
 * Pids of live supervisors started for this process (by its spawner, a child of this process)
 * whose step file is below `dataDir`.
 */
function liveExecutors(dataDir: string): number[] {
  const pids: number[] = [];
  const parentOf = (pid: string) => {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state, ppid: ppid! };
  };
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const args = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      const { state, ppid } = parentOf(e.name);
      // A command being forked by a supervisor shows the supervisor's cmdline too: its parent is
      // the supervisor, not the spawner.
      if (
        state !== "Z" && Number(parentOf(ppid).ppid) === Deno.pid &&
        args.some((a) => a.startsWith(`${dataDir}/runs/`) && a.endsWith("/step.json"))
      ) {
        pids.push(Number(e.name));
      }
    } catch {
      // Ended meanwhile.
    }
  }
  return pids;
}

Deno.test("with --max-steps 2, five sleeping steps run at most two at a time, in order, and all succeed", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-limit-" });
  const spawned: string[] = [];
  const rt = new ProcessRuntime({
    dataDir,
    maxSteps: 2,
    warn: () => {},
    hooks: { beforeSpawn: (dir) => void spawned.push(dir.slice(dir.lastIndexOf("/") + 1)) },
  });
  const wf = wfName("limit");
  const runs = [1, 2, 3, 4, 5].map((i) =>
    runSpec(wf, { main: { command: ["sh", "-c", `sleep 0.6; echo step ${i}`] } })
  );
  for (const r of runs) await rt.start(r);
  assert.deepEqual(runs.map((r) => rt.observe(r.nodeId)?.phase), [
    "Running",
    "Running",
    "Pending",
    "Pending",
    "Pending",
  ]);
  assert.match(rt.observe(runs[2]!.nodeId)!.message!, /at most 2 at once \(--max-steps\)/);

  const seen = new Set<number>();
  let most = 0;
  const all = Promise.all(runs.map((r) => rt.wait(r.nodeId)));
  let done = false;
  all.finally(() => (done = true));
  const deadline = Date.now() + 30_000;
  while (!done) {
    if (Date.now() > deadline) throw new Error("the five steps did not end within 30 s");
    const live = liveExecutors(dataDir);
    live.forEach((p) => seen.add(p));
    most = Math.max(most, live.length);
    await new Promise((r) => setTimeout(r, 10));
  }
  const obs = await all;
  assert.deepEqual(obs.map((o) => o.phase), Array(5).fill("Succeeded"));
  assert.deepEqual(obs.map((o) => o.stdout), [1, 2, 3, 4, 5].map((i) => `step ${i}\n`));
  assert.ok(most <= 2, `${most} executors were alive at once; the limit is 2`);
  assert.equal(most, 2, "two steps should have run side by side");
  assert.ok(seen.size >= 3, `saw the pids of ${seen.size} executors only`);
  assert.deepEqual(spawned, runs.map((r) => r.nodeId), "steps start in the order they came");
  await rt.close();
});

Deno.test("killing a waiting step ends it Failed with the reason, and it never runs", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-limit-" });
  const rt = new ProcessRuntime({ dataDir, maxSteps: 1, graceSeconds: 2, warn: () => {} });
  const wf = wfName("limit-kill");
  const marker = `${dataDir}/ran`;
  const busy = runSpec(wf, { main: { command: ["sleep", "30"] } });
  const waiting = runSpec(wf, { main: { command: ["sh", "-c", `echo ran > ${marker}`] } });
  await rt.start(busy);
  await rt.start(waiting);
  assert.equal(rt.observe(waiting.nodeId)?.phase, "Pending");
  await rt.kill(waiting.nodeId, "Stopped with strategy 'Stop'");
  const killed = await rt.wait(waiting.nodeId);
  assert.equal(killed.phase, "Failed");
  assert.equal(killed.message, "Stopped with strategy 'Stop'");
  assert.equal(killed.startedAt, undefined);
  await rt.kill(busy.nodeId, "done");
  assert.equal((await rt.wait(busy.nodeId)).phase, "Failed");
  assert.equal(await Deno.stat(marker).then(() => true, () => false), false, "the killed step ran");
  // A restarted runtime reports it as killed, and does not start it.
  const again = new ProcessRuntime({ dataDir, maxSteps: 1, warn: () => {} });
  assert.equal((await again.adopt(waiting.workflow, waiting.nodeId))?.phase, "Failed");
  await rt.close();
  await again.close();
});

Deno.test("steps still waiting when the runtime closes are started by the next one, once", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-limit-" });
  const first = new ProcessRuntime({ dataDir, maxSteps: 1, warn: () => {} });
  const wf = wfName("limit-close");
  const count = `${dataDir}/count`;
  const running = runSpec(wf, { main: { command: ["sh", "-c", "sleep 0.8; echo first"] } });
  const queued = runSpec(wf, { main: { command: ["sh", "-c", `echo x >> ${count}; echo second`] } });
  await first.start(running);
  await first.start(queued);
  assert.equal(first.observe(queued.nodeId)?.phase, "Pending");
  await first.close();

  const second = new ProcessRuntime({ dataDir, maxSteps: 1, warn: () => {} });
  const listed = await second.list({ namespace: "default", name: wf });
  assert.deepEqual(
    Object.fromEntries(listed.map((s) => [s.nodeId, s.state])),
    { [running.nodeId]: "running", [queued.nodeId]: "pending" },
  );
  assert.equal((await second.adopt(running.workflow, running.nodeId))?.phase, "Running");
  // The adopted step holds the only slot: the other waits for it.
  assert.equal((await second.adopt(queued.workflow, queued.nodeId))?.phase, "Pending");
  assert.equal((await second.wait(running.nodeId)).stdout, "first\n");
  const q = await second.wait(queued.nodeId);
  assert.equal(q.phase, "Succeeded", q.message ?? "");
  assert.equal(q.stdout, "second\n");
  assert.equal(await Deno.readTextFile(count), "x\n");
  await second.close();
});

Deno.test("daemons are not held back by the limit", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-limit-" });
  const rt = new ProcessRuntime({ dataDir, maxSteps: 1, graceSeconds: 2, warn: () => {} });
  const wf = wfName("limit-daemon");
  const daemon = runSpec(wf, { daemon: true, main: { command: ["sleep", "30"] } });
  const step = runSpec(wf, { main: { command: ["echo", "ok"] } });
  await rt.start(daemon);
  await rt.start(step);
  assert.equal((await rt.wait(step.nodeId)).phase, "Succeeded");
  await rt.kill(daemon.nodeId, "done");
  await rt.close();
});

Deno.test("the default limit follows the machine; a limit below 1 is refused with the reason", () => {
  const n = defaultMaxSteps();
  assert.ok(n >= 4 && n <= 4 * Math.max(1, navigator.hardwareConcurrency), `default ${n}`);
  assert.throws(() => new StepSlots(0), /at least 1, not 0/);
});

Deno.test("--max-steps takes a whole number of at least 1, and says so otherwise", () => {
  assert.equal(parseMaxSteps("3"), 3);
  for (const bad of ["0", "-1", "2.5", "many", ""]) {
    assert.throws(
      () => parseMaxSteps(bad),
      (e: Error) =>
        e instanceof CliError &&
        e.message.startsWith(
          `--max-steps must be a whole number of at least 1 (steps running at once), not "${bad}"`,
        ) &&
        e.message.includes(`the default, ${defaultMaxSteps()} on this machine`),
    );
  }
});
