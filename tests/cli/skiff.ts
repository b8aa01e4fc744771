/** Runs the real CLI (`deno run -A main.ts ...`) as a user would, capturing what it prints. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const mainTs = new URL("../../main.ts", import.meta.url).pathname;

/** `skiff <args>` in a child process. */
export async function skiff(...args: string[]): Promise<CliRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
