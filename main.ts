/** skiff's entry point: `deno run -A main.ts <command>` (or the compiled `skiff` binary). */
import { runCli } from "./cli/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args));
}
