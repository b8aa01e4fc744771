/** `skiff list`, `skiff get` and `skiff delete`: reading and removing workflows through the API. */
import type { Command } from "commander";
import type { Workflow } from "../../controller/spec/types.ts";
import { CliError } from "../errors.ts";
import { parseDuration, relativeShort } from "../humanize.ts";
import { tabulate } from "../tabwriter.ts";
import { printWorkflow, workflowStatus } from "../tree.ts";
import { type ApiClient, type ConnectionFlags, withConnection } from "./api.ts";
import {
  checkOutput,
  clientAction,
  connect,
  formatObject,
  getWorkflow,
  resolveName,
  useColor,
} from "./common.ts";

interface ListFlags extends ConnectionFlags {
  running?: boolean;
  completed?: boolean;
  status?: string;
  since?: string;
  selector?: string;
  fieldSelector?: string;
  prefix?: string;
  output?: string;
  chunkSize?: string;
}

/** Every workflow matching a label selector (all pages); without their nodes unless `withNodes`. */
export async function listAll(
  client: ApiClient,
  labelSelector: string,
  fieldSelector = "",
  withNodes = false,
): Promise<Workflow[]> {
  const items: Workflow[] = [];
  let cont = "";
  do {
    const q = new URLSearchParams({ "listOptions.limit": "500" });
    if (!withNodes) q.set("fields", "-items.status.nodes");
    if (labelSelector) q.set("listOptions.labelSelector", labelSelector);
    if (fieldSelector) q.set("listOptions.fieldSelector", fieldSelector);
    if (cont) q.set("listOptions.continue", cont);
    const page = await client.call<{ items: Workflow[] | null; metadata?: { continue?: string } }>(
      "GET",
      client.path("/api/v1/workflows/{}", client.namespace) + "?" + q,
    );
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue ?? "";
  } while (cont);
  return items;
}

/** The label selector of `--running`, `--completed`, `--status` and `-l`. */
function selectorOf(flags: ListFlags): string {
  if (flags.running && flags.completed) {
    throw new CliError("--running and --completed cannot be used together");
  }
  const terms: string[] = [];
  if (flags.selector) terms.push(flags.selector);
  if (flags.running) terms.push("workflows.argoproj.io/completed!=true");
  if (flags.completed) terms.push("workflows.argoproj.io/completed=true");
  if (flags.status) {
    const phases = flags.status.split(",").map((s) => s.trim()).filter(Boolean);
    const known = ["Pending", "Running", "Succeeded", "Failed", "Error"];
    const bad = phases.find((p) => !known.includes(p));
    if (bad) throw new CliError(`--status: unknown phase "${bad}"; use ${known.join(", ")}`);
    terms.push(`workflows.argoproj.io/phase in (${phases.join(",")})`);
  }
  return terms.join(",");
}

/** Workflows as `argo list` prints them. */
export function printList(workflows: Workflow[], output: string, now = Date.now()): string {
  if (output === "name") return workflows.map((w) => (w.metadata.name ?? "") + "\n").join("");
  if (workflows.length === 0) return "No workflows found\n";
  const wide = output === "wide";
  const lines = [`NAME\tSTATUS\tAGE\tDURATION\tPRIORITY\tMESSAGE${wide ? "\tP/R/C\tPARAMETERS" : ""}`];
  for (const wf of workflows) {
    const st = wf.status ?? {};
    const age = relativeShort(wf.metadata.creationTimestamp, undefined, now);
    const dur = relativeShort(st.startedAt, st.finishedAt, now) || "0s";
    let line = `${wf.metadata.name}\t${workflowStatus(wf)}\t${age}\t${dur}\t${wf.spec.priority ?? 0}\t${
      st.message ?? ""
    }`;
    if (wide) {
      const pods = Object.values(st.nodes ?? {}).filter((n) => n.type === "Pod");
      const count = (phases: string[]) => pods.filter((n) => phases.includes(n.phase ?? "")).length;
      const prc = `${count(["Pending"])}/${count(["Running"])}/${
        count(["Succeeded", "Failed", "Error", "Skipped"])
      }`;
      const params = (wf.spec.arguments?.parameters ?? []).map((p) => `${p.name}=${p.value ?? ""}`).join(",");
      line += `\t${prc}\t${params}`;
    }
    lines.push(line);
  }
  return tabulate(lines, 3);
}

/** Adds `list`, `get` and `delete`. */
export function addWorkflowCommands(program: Command): void {
  withConnection(
    program.command("list").alias("ls").description("list workflows, newest first"),
  )
    .option("--running", "only workflows still running (or pending)")
    .option("--completed", "only finished workflows")
    .option("--status <phases>", "only workflows in these phases, e.g. Failed,Error")
    .option("--since <duration>", "only workflows created in the last duration, e.g. 1h, 30m, 2d")
    .option("-l, --selector <selector>", "label selector, e.g. app=x,env!=prod")
    .option("--field-selector <selector>", "field selector, e.g. metadata.name=x")
    .option("--prefix <prefix>", "only workflows whose name starts with this")
    .option("-o, --output <format>", "name, wide, json or yaml")
    .action(clientAction(async (flags: ListFlags) => {
      const output = checkOutput(flags.output, ["", "name", "wide", "json", "yaml"]);
      const since = flags.since !== undefined ? parseDuration(flags.since) : undefined;
      if (flags.since !== undefined && since === undefined) {
        throw new CliError(`--since: "${flags.since}" is not a duration such as 30m, 1h or 2d`);
      }
      const client = await connect(flags);
      // Only `-o wide` (pod counts), json and yaml show the nodes.
      const withNodes = output === "wide" || output === "json" || output === "yaml";
      let items = await listAll(client, selectorOf(flags), flags.fieldSelector ?? "", withNodes);
      if (flags.prefix) items = items.filter((w) => w.metadata.name?.startsWith(flags.prefix!));
      if (since !== undefined) {
        const cutoff = Date.now() - since;
        items = items.filter((w) => Date.parse(w.metadata.creationTimestamp ?? "") >= cutoff);
      }
      if (output === "json" || output === "yaml") {
        Deno.stdout.writeSync(new TextEncoder().encode(formatObject(items, output)));
      } else {
        Deno.stdout.writeSync(new TextEncoder().encode(printList(items, output)));
      }
    }));

  withConnection(
    program.command("get").description("show a workflow: its status and the tree of its steps").argument(
      "<names...>",
      "workflow names (@latest for the newest)",
    ),
  )
    .option("-o, --output <format>", "name, wide, json or yaml")
    .option("--node-field-selector <selector>", "only nodes matching, e.g. phase=Failed")
    .option("--status <phase>", "only nodes in this phase")
    .option("--no-utf8", "ASCII instead of UTF-8 glyphs")
    .action(clientAction(
      async (
        names: string[],
        flags: ConnectionFlags & {
          output?: string;
          nodeFieldSelector?: string;
          status?: string;
          utf8?: boolean;
        },
      ) => {
        const output = checkOutput(flags.output, ["", "name", "wide", "json", "yaml"]);
        if (flags.status && flags.nodeFieldSelector) {
          throw new CliError("use either --status or --node-field-selector");
        }
        const selector = flags.status ? `phase=${flags.status}` : flags.nodeFieldSelector;
        const client = await connect(flags);
        const parts: string[] = [];
        for (const n of names) {
          const wf = await getWorkflow(client, await resolveName(client, n));
          if (output === "json" || output === "yaml") parts.push(formatObject(wf, output));
          else if (output === "name") parts.push(`${wf.metadata.name}\n`);
          else {
            parts.push(printWorkflow(wf, {
              output: output === "wide" ? "wide" : "",
              color: useColor(),
              noUtf8: flags.utf8 === false,
              ...(selector ? { nodeFieldSelector: selector } : {}),
            }));
          }
        }
        Deno.stdout.writeSync(
          new TextEncoder().encode(parts.join(output === "" || output === "wide" ? "\n" : "")),
        );
      },
    ));

  withConnection(
    program.command("delete").alias("rm").description("delete workflows (running ones are stopped)").argument(
      "[names...]",
      "workflow names (@latest for the newest)",
    ),
  )
    .option("--all", "delete every workflow (of the namespace)")
    .option("--completed", "delete finished workflows")
    .option("--older <duration>", "delete workflows finished longer ago than this, e.g. 1d")
    .option("-l, --selector <selector>", "delete workflows matching this label selector")
    .option("--dry-run", "only print what would be deleted")
    .action(clientAction(
      async (
        names: string[],
        flags: ConnectionFlags & {
          all?: boolean;
          completed?: boolean;
          older?: string;
          selector?: string;
          dryRun?: boolean;
        },
      ) => {
        const older = flags.older !== undefined ? parseDuration(flags.older) : undefined;
        if (flags.older !== undefined && older === undefined) {
          throw new CliError(`--older: "${flags.older}" is not a duration such as 1h or 7d`);
        }
        const bulk = flags.all || flags.completed || older !== undefined || flags.selector;
        if (names.length === 0 && !bulk) {
          throw new CliError("name the workflows to delete, or use --all, --completed, --older or -l");
        }
        if (names.length > 0 && bulk) {
          throw new CliError("give either workflow names or --all/--completed/--older/-l");
        }
        const client = await connect(flags);
        let targets: string[];
        if (names.length > 0) {
          targets = [];
          for (const n of names) targets.push(await resolveName(client, n));
        } else {
          const terms = [
            flags.selector,
            flags.completed || older !== undefined ? "workflows.argoproj.io/completed=true" : "",
          ]
            .filter(Boolean).join(",");
          let items = await listAll(client, terms);
          if (older !== undefined) {
            const cutoff = Date.now() - older;
            items = items.filter((w) => w.status?.finishedAt && Date.parse(w.status.finishedAt) < cutoff);
          }
          targets = items.map((w) => w.metadata.name ?? "");
        }
        for (const name of targets) {
          if (!flags.dryRun) {
            await client.call("DELETE", client.path("/api/v1/workflows/{}/{}", client.namespace, name));
          }
          console.log(`Workflow '${name}' deleted${flags.dryRun ? " (dry run)" : ""}`);
        }
      },
    ));
}
