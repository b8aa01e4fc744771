/** The executor's `--fetch-inputs` mode run as a program, as a pod's `init` container runs it. */
import type { InputsDescription } from "../../executor/mod.ts";

const MAIN = new URL("../../executor/main.ts", import.meta.url).pathname;

/**
 * Runs `executor/main.ts --fetch-inputs` with the description in SKIFF_INPUTS, as `init` does (a
 * string is passed as it is).
 */
export async function fetchInputsProgram(desc: InputsDescription | string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "--fetch-inputs"],
    env: { SKIFF_INPUTS: typeof desc === "string" ? desc : JSON.stringify(desc), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
