/**
 * Node directories made ahead of need (controller/local/runtime/spare_dirs.ts), as a user of the
 * process runtime sees them: steps run in them exactly as in directories made on the spot, nothing
 * of the spare is left in a node's directory, two supervisors racing for a spare's claim run the
 * step once, and spares do not pile up in the data dir.
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { SupervisorSpawner } from "../../controller/local/runtime/process_spawner.ts";
import { SPARE_ENTRIES, SpareNodeDirs } from "../../controller/local/runtime/spare_dirs.ts";
import { executorPid, recordedExit } from "../../controller/local/runtime/process_pids.ts";
import { CLAIMED_EXIT_CODE } from "../../executor/mod.ts";
import { runSpec, wfName } from "./helpers.ts";

/** The spares ready under the data dir (complete ones, not those being made). */
function readySpares(dataDir: string): string[] {
  return list(`${dataDir}/spare`).flatMap((d) =>
    list(`${dataDir}/spare/${d}`).filter((n) => !n.startsWith(".")).map((n) => `${dataDir}/spare/${d}/${n}`)
  );
}

function list(dir: string): string[] {
  try {
    return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("steps run in node directories made ahead, which keep nothing of the spare; close removes the spares", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-spares-" });
  // Spares of a host that is gone (no such pid) are removed by the next runtime.
  const gone = `${dataDir}/spare/4194305-deadbeef`;
  Deno.mkdirSync(`${gone}/0/root/tmp`, { recursive: true });
  const rt = new ProcessRuntime({ dataDir, graceSeconds: 2, maxSteps: 4, warn: () => {} });
  const wf = wfName("spares");
  const outputs: string[] = [];
  for (let i = 0; i < 4; i++) {
    const run = runSpec(wf, {
      main: { command: ["sh", "-c", `echo step-${i} > /tmp/out; cat /tmp/out; pwd; echo "$TMPDIR"`] },
    });
    // After the first step, spares are made in the background (the first step asked for them).
    if (i > 0) await until("a spare is ready", () => readySpares(dataDir).length > 0);
    const ready = readySpares(dataDir);
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    // From the second step on, the step's directory is one of the spares that were ready.
    if (i > 0) assert.ok(ready.some((d) => list(d).length === 0), `no spare of ${ready} was used`);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    const dir = rt.layout.nodeDir(run.workflow, run.nodeId);
    // The step's own files, as in a directory made on the spot; no claim or temporary file left.
    assert.deepEqual(list(dir), [
      "executor.pid",
      "result.json",
      "root",
      "stdout",
      "step.json",
    ]);
    assert.deepEqual(list(`${dir}/root`), ["tmp"]);
    assert.equal(obs.stdout, `step-${i}\n${dir}/root\n${dir}/root/tmp\n`);
    assert.ok(executorPid(dir) !== undefined && recordedExit(dir) === 0);
    outputs.push(await rt.logs(run.workflow, run.nodeId));
  }
  assert.deepEqual(outputs.map((o) => o.split("\n")[0]), ["step-0", "step-1", "step-2", "step-3"]);
  assert.ok(!list(`${dataDir}/spare`).includes("4194305-deadbeef"), "the gone host's spares are still there");
  await rt.close();
  assert.deepEqual(list(`${dataDir}/spare`), []);
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("two supervisors of one step in a spare directory: one claims it and runs the command, the other runs nothing", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-spares-" });
  const spawner = new SupervisorSpawner("perl");
  const spares = new SpareNodeDirs(dataDir, 1, (b, r) => spawner.makeSpare(b, r, SPARE_ENTRIES));
  const dir = `${dataDir}/runs/default/race/nodes/race-1`;
  await until(
    "a spare is ready",
    () => readySpares(dataDir).length > 0,
  );
  assert.ok(spares.takeAs(dir), "no spare was taken");
  assert.deepEqual(
    list(dir),
    ["claim", "root", "result.json.tmp-" + Deno.pid, "step.json.tmp-" + Deno.pid, "stdout"].sort(),
  );
  const count = `${dataDir}/count`;
  const req = {
    dir,
    workingDir: `${dir}/root`,
    startedAt: new Date().toISOString(),
    command: ["sh", "-c", `echo ran >> ${count}; sleep 0.3`],
    env: Deno.env.toObject(),
  };
  const [a, b] = await Promise.all([spawner.spawn(req), spawner.spawn(req)]);
  const codes = (await Promise.all([a.exit, b.exit])).sort();
  assert.deepEqual(codes, [0, CLAIMED_EXIT_CODE].sort());
  assert.equal(Deno.readTextFileSync(count), "ran\n");
  assert.equal(executorPid(dir), codes[0] === 0 && (await a.exit) === 0 ? a.pid : b.pid);
  assert.ok(!list(dir).includes("claim"));
  await spawner.close();
  await spares.close();
  await Deno.remove(dataDir, { recursive: true });
});

Deno.test("spares asked for and never made (their maker died) are asked for again", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-spares-" });
  const spawner = new SupervisorSpawner("perl");
  let ignored = 0;
  const spares = new SpareNodeDirs(dataDir, 2, (b, r) => {
    if (ignored < 2) ignored++; // the first two requests are lost
    else spawner.makeSpare(b, r, SPARE_ENTRIES);
  });
  let taken = false;
  for (let i = 0; i < 10 && !taken; i++) {
    const dir = `${dataDir}/runs/default/lost/nodes/lost-${i}`;
    taken = spares.takeAs(dir);
    if (!taken) {
      spares.refill();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  assert.ok(taken, "no spare was made again after the first ones were lost");
  await spawner.close();
  await spares.close();
  await Deno.remove(dataDir, { recursive: true });
});
