/**
 * A real `skiff server` subprocess (process runtime, temp data dir) and the real CLI run against it,
 * as a user would run both. A `cowsay` that echoes its arguments is put on the server's PATH, so
 * docker/whalesay examples run as host processes.
 */

const mainTs = new URL("../../main.ts", import.meta.url).pathname;

/** What a CLI run printed. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running server subprocess. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  /** The CLI, pointed at this server (token read from the data dir, as on the user's machine). */
  skiff(...args: string[]): Promise<CliRun>;
  /** The CLI with extra environment. */
  skiffEnv(env: Record<string, string>, ...args: string[]): Promise<CliRun>;
  /** What the server printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `skiff server --port 0 --runtime process` and waits until it listens. */
export async function startServerProcess(extraArgs: string[] = []): Promise<ServerProcess> {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-cli-" });
  const bin = `${dataDir}/bin`;
  await Deno.mkdir(bin);
  await Deno.writeTextFile(`${bin}/cowsay`, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      mainTs,
      "server",
      "--port",
      "0",
      "--data-dir",
      `${dataDir}/data`,
      "--runtime",
      "process",
      ...extraArgs,
    ],
    env: { PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) output += chunk;
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const deadline = Date.now() + 30000;
  let url: string | undefined;
  while (!url) {
    url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
    if (!url && Date.now() > deadline) {
      child.kill();
      throw new Error(`skiff server did not start:\n${output}`);
    }
    if (!url) await new Promise((r) => setTimeout(r, 50));
  }
  const serverUrl = url;
  const run = async (env: Record<string, string>, args: string[]): Promise<CliRun> => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", mainTs, ...args],
      env: { SKIFF_SERVER: serverUrl, SKIFF_DATA_DIR: `${dataDir}/data`, NO_COLOR: "1", ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
  };
  return {
    url: serverUrl,
    dataDir,
    skiff: (...args) => run({}, args),
    skiffEnv: (env, ...args) => run(env, args),
    log: () => output,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Runs `fn` until it returns a value, for up to `ms`. */
export async function until<T>(fn: () => Promise<T | undefined>, ms = 20000, what = "condition"): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
