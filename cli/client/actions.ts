/**
 * Changing workflows through the API: `resume`, `suspend`, `stop`, `terminate`, `retry`,
 * `resubmit` and `node set`, worded as Argo's CLI words them.
 */
import type { Command } from "commander";
import type { Workflow } from "../../controller/spec/types.ts";
import { CliError } from "../errors.ts";
import { printWorkflow } from "../tree.ts";
import { type ApiClient, type ConnectionFlags, withConnection } from "./api.ts";
import {
  checkOutput,
  clientAction,
  collect,
  connect,
  formatObject,
  resolveName,
  useColor,
} from "./common.ts";
import { printLogs } from "./logs.ts";
import { waitWorkflows, watchWorkflow } from "./watch.ts";

function put(
  client: ApiClient,
  name: string,
  verb: string,
  body: Record<string, unknown>,
): Promise<Workflow> {
  return client.call<Workflow>(
    "PUT",
    client.path(`/api/v1/workflows/{}/{}/${verb}`, client.namespace, name),
    { name, namespace: client.namespace, ...body },
  );
}

interface FollowFlags extends ConnectionFlags {
  wait?: boolean;
  watch?: boolean;
  log?: boolean;
  output?: string;
  parameter?: string[];
}

/** Prints a workflow that an action made or changed, and follows it as asked. */
async function showAndFollow(client: ApiClient, wf: Workflow, flags: FollowFlags): Promise<void> {
  const output = checkOutput(flags.output, ["", "name", "wide", "json", "yaml"]);
  const text = output === "name"
    ? `${wf.metadata.name}\n`
    : output === "json" || output === "yaml"
    ? formatObject(wf, output)
    : printWorkflow(wf, { output: output === "wide" ? "wide" : "", color: useColor() });
  Deno.stdout.writeSync(new TextEncoder().encode(text));
  const name = wf.metadata.name ?? "";
  if (flags.log) await printLogs(client, name, { follow: true });
  if (flags.wait) {
    if (!(await waitWorkflows(client, [name], { quiet: !(output === "" || output === "wide") }))) {
      Deno.exitCode = 1;
    }
  } else if (flags.watch) {
    await watchWorkflow(client, name, { output: output === "wide" ? "wide" : "" });
  }
}

function withFollow(cmd: Command): Command {
  return cmd
    .option("--wait", "wait for the workflow to finish; exit 1 if it failed")
    .option("--watch", "show the workflow as it runs")
    .option("--log", "print the workflow's logs as it runs")
    .option("-o, --output <format>", "name, wide, json or yaml")
    .option("-p, --parameter <name=value>", "override a workflow parameter (repeatable)", collect);
}

/** Adds the action commands. */
export function addActionCommands(program: Command): void {
  const simple = (verb: string, past: string, description: string, extra?: (c: Command) => Command) => {
    let cmd = withConnection(
      program.command(verb).description(description).argument(
        "<names...>",
        "workflow names (@latest for the newest)",
      ),
    );
    if (extra) cmd = extra(cmd);
    cmd.action(
      clientAction(async (names: string[], flags: ConnectionFlags & Record<string, string | undefined>) => {
        const client = await connect(flags);
        for (const n of names) {
          const name = await resolveName(client, n);
          const body: Record<string, unknown> = {};
          if (flags.nodeFieldSelector) body.nodeFieldSelector = flags.nodeFieldSelector;
          if (flags.message) body.message = flags.message;
          await put(client, name, verb, body);
          console.log(`workflow ${name} ${past}`);
        }
      }),
    );
  };
  simple(
    "resume",
    "resumed",
    "resume suspended workflows",
    (c) =>
      c.option(
        "--node-field-selector <selector>",
        "only resume suspend nodes matching, e.g. displayName=approve",
      ),
  );
  simple("suspend", "suspended", "suspend workflows: no new steps start until resumed");
  simple(
    "stop",
    "stopped",
    "stop workflows: running steps are stopped and exit handlers run",
    (c) =>
      c.option("--node-field-selector <selector>", "fail the suspend nodes matching this selector")
        .option("--message <text>", "message for the stopped suspend nodes"),
  );
  simple(
    "terminate",
    "terminated",
    "terminate workflows: running steps are stopped, exit handlers do not run",
  );

  withFollow(withConnection(
    program.command("retry").description("retry a failed workflow from where it failed").argument(
      "<name>",
      "workflow name (@latest for the newest)",
    ),
  ))
    .option("--restart-successful", "also re-run succeeded nodes matching --node-field-selector")
    .option("--node-field-selector <selector>", "nodes to re-run, e.g. displayName=step-a")
    .action(clientAction(
      async (
        name: string,
        flags: FollowFlags & { restartSuccessful?: boolean; nodeFieldSelector?: string },
      ) => {
        const client = await connect(flags);
        const wfName = await resolveName(client, name);
        const body: Record<string, unknown> = {};
        if (flags.restartSuccessful) body.restartSuccessful = true;
        if (flags.nodeFieldSelector) body.nodeFieldSelector = flags.nodeFieldSelector;
        if (flags.parameter?.length) body.parameters = flags.parameter;
        await showAndFollow(client, await put(client, wfName, "retry", body), flags);
      },
    ));

  withFollow(withConnection(
    program.command("resubmit").description("submit a workflow again, as a new workflow").argument(
      "<name>",
      "workflow name (@latest for the newest)",
    ),
  ))
    .option("--memoized", "reuse the outputs of succeeded steps")
    .action(clientAction(async (name: string, flags: FollowFlags & { memoized?: boolean }) => {
      const client = await connect(flags);
      const wfName = await resolveName(client, name);
      const body: Record<string, unknown> = {};
      if (flags.memoized) body.memoized = true;
      if (flags.parameter?.length) body.parameters = flags.parameter;
      await showAndFollow(client, await put(client, wfName, "resubmit", body), flags);
    }));

  const node = program.command("node").description("change nodes of a workflow");
  withConnection(
    node.command("set").description("set the phase, message or output parameters of suspend nodes").argument(
      "<name>",
      "workflow name (@latest for the newest)",
    ),
  )
    .requiredOption("--node-field-selector <selector>", "the nodes to set, e.g. displayName=approve")
    .option("--phase <phase>", "Succeeded or Failed")
    .option("--message <text>", "the nodes' message")
    .option("--output-parameter <name=value>", "an output parameter to supply (repeatable)", collect)
    .action(clientAction(
      async (
        name: string,
        flags: ConnectionFlags & {
          nodeFieldSelector: string;
          phase?: string;
          message?: string;
          outputParameter?: string[];
        },
      ) => {
        if (flags.phase && flags.phase !== "Succeeded" && flags.phase !== "Failed") {
          throw new CliError(`--phase must be Succeeded or Failed, not "${flags.phase}"`);
        }
        const outputs: Record<string, string> = {};
        for (const p of flags.outputParameter ?? []) {
          const eq = p.indexOf("=");
          if (eq <= 0) throw new CliError(`--output-parameter ${p}: expected NAME=VALUE`);
          outputs[p.slice(0, eq)] = p.slice(eq + 1);
        }
        if (!flags.phase && !flags.message && Object.keys(outputs).length === 0) {
          throw new CliError("nothing to set: give --phase, --message or --output-parameter");
        }
        const client = await connect(flags);
        const wfName = await resolveName(client, name);
        const body: Record<string, unknown> = { nodeFieldSelector: flags.nodeFieldSelector };
        if (flags.phase) body.phase = flags.phase;
        if (flags.message) body.message = flags.message;
        if (Object.keys(outputs).length > 0) body.outputParameters = JSON.stringify(outputs);
        await put(client, wfName, "set", body);
        console.log("workflow values updated");
      },
    ));
}
