/** `skiff watch` and `skiff wait`: following workflows through the API's event stream. */
import type { Command } from "commander";
import type { Workflow } from "../../controller/spec/types.ts";
import { goDefaultTime } from "../humanize.ts";
import { printWorkflow } from "../tree.ts";
import { type ApiClient, ApiError, type ConnectionFlags, withConnection } from "./api.ts";
import { clientAction, connect, getWorkflow, resolveName, useColor } from "./common.ts";

const encoder = new TextEncoder();

/** The workflow's states from the server, from now until it has finished. */
export async function* followWorkflow(client: ApiClient, name: string): AsyncIterable<Workflow> {
  const q = new URLSearchParams({ "listOptions.fieldSelector": `metadata.name=${name}` });
  const path = client.path("/api/v1/workflow-events/{}", client.namespace) + "?" + q;
  for (let attempt = 0;; attempt++) {
    for await (const event of client.stream<{ type: string; object: Workflow }>(path, { sse: true })) {
      if (event.type === "DELETED") throw new ApiError(404, 5, `workflow ${name} was deleted`);
      yield event.object;
      if (event.object.status?.finishedAt) return;
    }
    // The server ended the stream (e.g. it restarted): watch again, as Argo's CLI does.
    if (attempt >= 10) throw new ApiError(0, 14, `lost the event stream of workflow ${name}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Waits for workflows to finish, printing `NAME PHASE at TIME` for each unless `quiet`. True when
 * all Succeeded.
 */
export async function waitWorkflows(
  client: ApiClient,
  names: string[],
  opts: { quiet?: boolean; ignoreNotFound?: boolean } = {},
): Promise<boolean> {
  const results = await Promise.all(names.map(async (name) => {
    try {
      await getWorkflow(client, name);
    } catch (e) {
      if (e instanceof ApiError && e.code === 5 && opts.ignoreNotFound) return true;
      throw e;
    }
    let last: Workflow | undefined;
    for await (const wf of followWorkflow(client, name)) last = wf;
    const phase = last?.status?.phase ?? "";
    if (!opts.quiet) console.log(`${name} ${phase} at ${goDefaultTime(last?.status?.finishedAt ?? "")}`);
    return phase !== "Failed" && phase !== "Error";
  }));
  return results.every(Boolean);
}

/** Shows a workflow as it runs: redrawn in place on a terminal, else printed on each change. */
export async function watchWorkflow(
  client: ApiClient,
  name: string,
  opts: { output?: "" | "wide" } = {},
): Promise<Workflow | undefined> {
  const tty = Deno.stdout.isTerminal();
  let last: Workflow | undefined;
  let shown = "";
  const draw = () => {
    if (!last) return;
    const text = printWorkflow(last, { output: opts.output ?? "", color: useColor() });
    if (tty) {
      Deno.stdout.writeSync(encoder.encode("\x1b[H\x1b[2J" + text));
    } else {
      const signature = JSON.stringify([last.status?.phase, last.status?.progress, summary(last)]);
      if (signature === shown) return;
      shown = signature;
      Deno.stdout.writeSync(encoder.encode(text + "\n"));
    }
  };
  const timer = tty ? setInterval(draw, 1000) : undefined;
  try {
    for await (const wf of followWorkflow(client, name)) {
      last = wf;
      draw();
    }
  } finally {
    clearInterval(timer);
  }
  return last;
}

function summary(wf: Workflow): string[] {
  return Object.values(wf.status?.nodes ?? {}).map((n) => `${n.id}:${n.phase}:${n.message ?? ""}`).sort();
}

/** Adds `watch` and `wait`. */
export function addWatchCommands(program: Command): void {
  withConnection(
    program.command("watch").description("show a workflow as it runs, until it finishes").argument(
      "<name>",
      "workflow name (@latest for the newest)",
    ),
  )
    .option("-o, --output <format>", "wide for more columns")
    .action(clientAction(async (name: string, flags: ConnectionFlags & { output?: string }) => {
      const client = await connect(flags);
      const wfName = await resolveName(client, name);
      await getWorkflow(client, wfName);
      await watchWorkflow(client, wfName, { output: flags.output === "wide" ? "wide" : "" });
    }));

  withConnection(
    program.command("wait").description("wait for workflows to finish; exits 1 if any failed").argument(
      "<names...>",
      "workflow names (@latest for the newest)",
    ),
  )
    .option("--ignore-not-found", "a workflow that does not exist counts as done")
    .action(clientAction(async (names: string[], flags: ConnectionFlags & { ignoreNotFound?: boolean }) => {
      const client = await connect(flags);
      const resolved: string[] = [];
      for (const n of names) resolved.push(await resolveName(client, n));
      const ok = await waitWorkflows(client, resolved, { ignoreNotFound: flags.ignoreNotFound === true });
      if (!ok) Deno.exitCode = 1;
    }));
}
