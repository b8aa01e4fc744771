/**
 * A host that dies at one exact point of starting a step, for the recovery tests:
 *
 *   deno run -A host.ts <dataDir> <beforeSpawn|afterSpawn> '<RunSpec json>'
 *
 * It starts the step with a process runtime whose hook SIGKILLs this process at that point, as
 * a machine losing skiff there would. At afterSpawn it first writes `<dataDir>/spawned`: the
 * supervisor's pid and its parent's (the runtime's spawner). It never exits normally.
 */
import type { RunSpec } from "../../../controller/engine/actions.ts";
import { ProcessRuntime } from "../../../controller/local/runtime/process.ts";

const [dataDir, point, runJson] = Deno.args;
if (!dataDir || (point !== "beforeSpawn" && point !== "afterSpawn") || !runJson) {
  console.error("usage: host.ts <dataDir> <beforeSpawn|afterSpawn> '<RunSpec json>'");
  Deno.exit(2);
}
const die = () => Deno.kill(Deno.pid, "SIGKILL");
const afterSpawn = (_dir: string, pid: number) => {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const parent = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
  Deno.writeTextFileSync(`${dataDir}/spawned`, `${pid} ${parent}`);
  die();
};
const hooks = point === "beforeSpawn" ? { beforeSpawn: die } : { afterSpawn };
const rt = new ProcessRuntime({ dataDir, warn: () => {}, hooks });
await rt.start(JSON.parse(runJson) as RunSpec);
console.error(`host.ts: the ${point} hook did not run`);
Deno.exit(3);
