/**
 * A host that dies at one exact point of starting a step, for the recovery tests:
 *
 *   deno run -A host.ts <dataDir> <beforeSpawn|afterSpawn> '<RunSpec json>'
 *
 * It starts the step with a process runtime whose hook SIGKILLs this process at that point, as
 * a machine losing skiff there would. It never exits normally.
 */
import type { RunSpec } from "../../../controller/engine/actions.ts";
import { ProcessRuntime } from "../../../controller/local/runtime/process.ts";

const [dataDir, point, runJson] = Deno.args;
if (!dataDir || (point !== "beforeSpawn" && point !== "afterSpawn") || !runJson) {
  console.error("usage: host.ts <dataDir> <beforeSpawn|afterSpawn> '<RunSpec json>'");
  Deno.exit(2);
}
const die = () => Deno.kill(Deno.pid, "SIGKILL");
const rt = new ProcessRuntime({ dataDir, warn: () => {}, hooks: { [point]: die } });
await rt.start(JSON.parse(runJson) as RunSpec);
console.error(`host.ts: the ${point} hook did not run`);
Deno.exit(3);
