/**
 * `skiff template ...`, `skiff cluster-template ...` and `skiff cron ...`: create, get, list, lint
 * and delete WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows through the API (cron
 * workflows also suspend and resume). Files are linted here first, with file:line:col.
 */
import type { Command } from "commander";
import type { ObjectMeta } from "../../controller/spec/types.ts";
import { type LoadedDocument, loadPaths } from "../../controller/spec/load.ts";
import { lintDocuments } from "../../controller/spec/lint/mod.ts";
import { formatProblem } from "../../controller/spec/problem.ts";
import { CliError } from "../errors.ts";
import { relativeShort, timestamp } from "../humanize.ts";
import { tabulate } from "../tabwriter.ts";
import { type ApiClient, ApiError, type ConnectionFlags, withConnection } from "./api.ts";
import { checkOutput, clientAction, connect, formatObject } from "./common.ts";

interface ApiObject {
  kind?: string;
  metadata: ObjectMeta;
  spec: Record<string, unknown>;
}

/** One kind the group manages. */
interface KindSpec {
  command: string;
  kind: "WorkflowTemplate" | "ClusterWorkflowTemplate" | "CronWorkflow";
  noun: string;
  /** Collection path; `{}` is the namespace. */
  base: (c: ApiClient) => string;
  field: "template" | "cronWorkflow";
  /** The `get` text of one object. */
  describe: (o: ApiObject) => string;
  /** The `list` table. */
  table: (items: ApiObject[]) => string;
}

const row = (k: string, v: unknown) => `${k.padEnd(20)} ${v}\n`;

function describeTemplate(o: ApiObject): string {
  let out = row("Name:", o.metadata.name ?? "");
  if (o.metadata.namespace) out += row("Namespace:", o.metadata.namespace);
  if (o.metadata.creationTimestamp) out += row("Created:", timestamp(o.metadata.creationTimestamp));
  if (o.spec.entrypoint) out += row("Entrypoint:", o.spec.entrypoint);
  const templates = (o.spec.templates as { name?: string }[] | undefined) ?? [];
  out += row("Templates:", templates.map((t) => t.name).join(", "));
  return out;
}

function describeCron(o: ApiObject): string {
  const spec = o.spec as {
    schedules?: string[];
    schedule?: string;
    suspend?: boolean;
    concurrencyPolicy?: string;
    timezone?: string;
  };
  let out = row("Name:", o.metadata.name ?? "");
  out += row("Namespace:", o.metadata.namespace ?? "");
  if (o.metadata.creationTimestamp) out += row("Created:", timestamp(o.metadata.creationTimestamp));
  out += row("Schedule:", (spec.schedules ?? (spec.schedule ? [spec.schedule] : [])).join(","));
  if (spec.timezone) out += row("Timezone:", spec.timezone);
  out += row("Suspended:", spec.suspend === true);
  out += row("ConcurrencyPolicy:", spec.concurrencyPolicy ?? "Allow");
  out += row(
    "Scheduling:",
    "not yet: the local host stores cron workflows but does not run them on schedule",
  );
  return out;
}

const KINDS: KindSpec[] = [
  {
    command: "template",
    kind: "WorkflowTemplate",
    noun: "workflow template",
    base: (c) => c.path("/api/v1/workflow-templates/{}", c.namespace),
    field: "template",
    describe: describeTemplate,
    table: (items) => tabulate(["NAME", ...items.map((o) => o.metadata.name ?? "")], 3),
  },
  {
    command: "cluster-template",
    kind: "ClusterWorkflowTemplate",
    noun: "cluster workflow template",
    base: () => "/api/v1/cluster-workflow-templates",
    field: "template",
    describe: describeTemplate,
    table: (items) => tabulate(["NAME", ...items.map((o) => o.metadata.name ?? "")], 3),
  },
  {
    command: "cron",
    kind: "CronWorkflow",
    noun: "cron workflow",
    base: (c) => c.path("/api/v1/cron-workflows/{}", c.namespace),
    field: "cronWorkflow",
    describe: describeCron,
    table: (items) =>
      tabulate([
        "NAME\tAGE\tSCHEDULE\tTIMEZONE\tSUSPENDED",
        ...items.map((o) => {
          const s = o.spec as {
            schedules?: string[];
            schedule?: string;
            timezone?: string;
            suspend?: boolean;
          };
          const schedule = (s.schedules ?? (s.schedule ? [s.schedule] : [])).join(",");
          return `${o.metadata.name}\t${relativeShort(o.metadata.creationTimestamp)}\t${schedule}\t${
            s.timezone ?? ""
          }\t${s.suspend === true}`;
        }),
      ], 3),
  },
];

/** Loads files, lints them here (exit 1 with file:line:col on errors), returns the documents of `kind`. */
async function lintedDocuments(files: string[], kind: string): Promise<LoadedDocument[] | undefined> {
  const { documents, problems } = await loadPaths(files);
  const all = [...problems, ...lintDocuments(documents, { target: "local" })].filter((p) =>
    p.severity === "error"
  );
  if (all.length > 0) {
    for (const p of all) console.error(formatProblem(p));
    console.error(`skiff: ${all.length} error(s)`);
    Deno.exitCode = 1;
    return undefined;
  }
  const wrong = documents.find((d) => d.kind !== kind);
  if (wrong) {
    throw new CliError(
      `${wrong.file}: document ${wrong.index + 1} is a ${
        wrong.kind ?? "document without kind"
      }, not a ${kind}`,
    );
  }
  if (documents.length === 0) throw new CliError(`no ${kind} in ${files.join(" ")}`);
  return documents;
}

function print(o: ApiObject | ApiObject[], output: string, k: KindSpec): void {
  const items = Array.isArray(o) ? o : [o];
  let text: string;
  if (output === "json" || output === "yaml") text = formatObject(o, output);
  else if (output === "name") text = items.map((i) => `${i.metadata.name}\n`).join("");
  else if (Array.isArray(o)) text = items.length === 0 ? `No ${k.noun}s found\n` : k.table(items);
  else text = k.describe(o);
  Deno.stdout.writeSync(new TextEncoder().encode(text));
}

function addKindGroup(program: Command, k: KindSpec): void {
  const group = program.command(k.command).description(`manage ${k.noun}s (${k.kind})`);
  const names = "<names...>";

  withConnection(group.command("create").description(`create ${k.noun}s from files`).argument("<files...>"))
    .option("-o, --output <format>", "name, json or yaml")
    .action(clientAction(async (files: string[], flags: ConnectionFlags & { output?: string }) => {
      const output = checkOutput(flags.output, ["", "name", "json", "yaml"]);
      const docs = await lintedDocuments(files, k.kind);
      if (!docs) return;
      const client = await connect(flags);
      for (const d of docs) {
        print(await client.call<ApiObject>("POST", k.base(client), { [k.field]: d.value }), output, k);
      }
    }));

  withConnection(group.command("get").description(`show ${k.noun}s`).argument(names))
    .option("-o, --output <format>", "name, json or yaml")
    .action(clientAction(async (list: string[], flags: ConnectionFlags & { output?: string }) => {
      const output = checkOutput(flags.output, ["", "name", "json", "yaml"]);
      const client = await connect(flags);
      for (const name of list) {
        print(
          await client.call<ApiObject>("GET", `${k.base(client)}/${encodeURIComponent(name)}`),
          output,
          k,
        );
      }
    }));

  withConnection(group.command("list").alias("ls").description(`list ${k.noun}s`))
    .option("-l, --selector <selector>", "label selector")
    .option("-o, --output <format>", "name, json or yaml")
    .action(clientAction(async (flags: ConnectionFlags & { output?: string; selector?: string }) => {
      const output = checkOutput(flags.output, ["", "name", "json", "yaml", "wide"]);
      const client = await connect(flags);
      const q = flags.selector
        ? `?${new URLSearchParams({ "listOptions.labelSelector": flags.selector })}`
        : "";
      const list = await client.call<{ items: ApiObject[] | null }>("GET", k.base(client) + q);
      print(list.items ?? [], output, k);
    }));

  withConnection(
    group.command("lint").description(`check ${k.noun} files, here and on the server`).argument("<files...>"),
  )
    .action(clientAction(async (files: string[], flags: ConnectionFlags) => {
      const docs = await lintedDocuments(files, k.kind);
      if (!docs) return;
      const client = await connect(flags);
      let failed = false;
      for (const d of docs) {
        try {
          await client.call("POST", `${k.base(client)}/lint`, { [k.field]: d.value });
        } catch (e) {
          if (!(e instanceof ApiError) || e.status !== 400) throw e;
          failed = true;
          console.error(`${d.file}: ${e.message}`);
        }
      }
      if (failed) Deno.exitCode = 1;
      else console.error(`no problems found in ${files.join(" ")}`);
    }));

  withConnection(group.command("delete").alias("rm").description(`delete ${k.noun}s`).argument("[names...]"))
    .option("--all", `delete every ${k.noun}`)
    .action(clientAction(async (list: string[], flags: ConnectionFlags & { all?: boolean }) => {
      if (list.length === 0 && !flags.all) throw new CliError(`name the ${k.noun}s to delete, or use --all`);
      const client = await connect(flags);
      let targets = list;
      if (flags.all) {
        const all = await client.call<{ items: ApiObject[] | null }>("GET", k.base(client));
        targets = (all.items ?? []).map((o) => o.metadata.name ?? "");
      }
      for (const name of targets) {
        await client.call("DELETE", `${k.base(client)}/${encodeURIComponent(name)}`);
        console.log(`${k.kind} '${name}' deleted`);
      }
    }));

  if (k.kind === "CronWorkflow") {
    for (const [verb, past] of [["suspend", "suspended"], ["resume", "resumed"]] as const) {
      withConnection(group.command(verb).description(`${verb} cron workflows`).argument(names))
        .action(clientAction(async (list: string[], flags: ConnectionFlags) => {
          const client = await connect(flags);
          for (const name of list) {
            await client.call("PUT", `${k.base(client)}/${encodeURIComponent(name)}/${verb}`, {});
            console.log(`CronWorkflow '${name}' ${past}`);
          }
        }));
    }
  }
}

/** Adds `template`, `cluster-template` and `cron`. */
export function addTemplateCommands(program: Command): void {
  for (const k of KINDS) addKindGroup(program, k);
}
