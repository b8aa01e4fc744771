/**
 * A host that dies while starting a step (after writing its intent, around forking the step's
 * supervisor) and restarts: the step runs exactly once and ends Succeeded. The dying host is a real
 * process SIGKILLed at that exact point (tests/local/runtime_crash/host.ts).
 */
import assert from "node:assert/strict";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { runSpec, wfName } from "./helpers.ts";
import { executorPid } from "../../controller/local/runtime/process_pids.ts";

const HOST = new URL("./runtime_crash/host.ts", import.meta.url).pathname;

/** Is `pid` a live process (not a zombie)? */
function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

for (const point of ["beforeSpawn", "afterSpawn"] as const) {
  Deno.test(`a host killed ${point === "beforeSpawn" ? "just before" : "just after"} spawning a step: after the restart the step runs exactly once`, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "skiff-recovery-" });
    const count = `${dataDir}/count`;
    const run = runSpec(wfName("crash"), {
      main: { command: ["sh", "-c", `echo ran >> ${count}; sleep 0.5; echo done`] },
    });
    const dying = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", HOST, dataDir, point, JSON.stringify(run)],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(dying.signal, "SIGKILL", new TextDecoder().decode(dying.stderr));

    const rt = new ProcessRuntime({ dataDir, warn: () => {} });
    const adopted = await rt.adopt(run.workflow, run.nodeId);
    assert.ok(adopted, "the restarted runtime does not know the step");
    assert.ok(adopted.phase === "Running" || adopted.phase === "Pending", JSON.stringify(adopted));
    // A pending start action carried out again (as the host does after recovery) changes nothing.
    await rt.start(run);
    const obs = await rt.wait(run.nodeId);
    assert.equal(obs.phase, "Succeeded", obs.message ?? "");
    assert.equal(obs.stdout, "done\n");
    assert.equal(await Deno.readTextFile(count), "ran\n");
    if (point === "afterSpawn") {
      // The supervisor forked for the dead host is the one that ran it (adopted, not started
      // again), and that host's spawner did not outlive it.
      const [supervisor, spawner] = (await Deno.readTextFile(`${dataDir}/spawned`)).split(" ");
      const dir = rt.layout.nodeDir(run.workflow, run.nodeId);
      assert.equal(String(executorPid(dir)), supervisor);
      assert.ok(!alive(Number(spawner)), `the dead host's spawner ${spawner} still runs`);
    }

    // And a second restart only reports the result.
    const third = new ProcessRuntime({ dataDir, warn: () => {} });
    assert.equal((await third.adopt(run.workflow, run.nodeId))?.phase, "Succeeded");
    assert.equal(await Deno.readTextFile(count), "ran\n");
    await rt.close();
    await third.close();
  });
}
