/** Running `skiff` as a child process for the end-to-end tests. */
export { skiff } from "../cli/skiff.ts";

const mainTs = new URL("../../main.ts", import.meta.url).pathname;

/** A running `skiff` child: send it signals, then read what it printed. */
export interface SkiffChild {
  pid: number;
  kill(signal: Deno.Signal): void;
  result: Promise<{ code: number; signal: string | null; stdout: string; stderr: string }>;
}

/** Starts `skiff <args>` without waiting for it. */
export function skiffChild(...args: string[]): SkiffChild {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", mainTs, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const decoder = new TextDecoder();
  return {
    pid: child.pid,
    kill: (signal) => child.kill(signal),
    result: child.output().then((o) => ({
      code: o.code,
      signal: o.signal,
      stdout: decoder.decode(o.stdout),
      stderr: decoder.decode(o.stderr),
    })),
  };
}

/** Writes a workflow to a temporary .yaml file and returns its path. */
export async function writeWorkflow(yaml: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "skiff-cli-wf-" });
  const path = `${dir}/workflow.yaml`;
  await Deno.writeTextFile(path, yaml.trimStart());
  return path;
}

/** Polls `cond` every 25 ms until it holds. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  ms = 60_000,
  what = "a condition",
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
