/**
 * `skiff submit FILE...|-` and `skiff submit --from workflowtemplate/NAME`: workflows are linted
 * here first (every problem as file:line:col, exit 1), then created through the API; `--wait`,
 * `--watch` and `--log` follow them as Argo's CLI does.
 */
import { parameterNames } from "../../controller/spec/parameters.ts";
import type { Command } from "commander";
import { parseGoYaml } from "../../controller/spec/load.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import { type LoadedDocument, loadText } from "../../controller/spec/load.ts";
import { lintDocuments } from "../../controller/spec/lint/mod.ts";
import { formatProblem, type Problem } from "../../controller/spec/problem.ts";
import { applySubmitOptions } from "../../web/submit-options.ts";
import type { SubmitOptions } from "../../web/service.ts";
import { CliError } from "../errors.ts";
import { printWorkflow } from "../tree.ts";
import type { ApiClient, ConnectionFlags } from "./api.ts";
import { withConnection } from "./api.ts";
import { checkOutput, clientAction, collect, connect, formatObject, useColor } from "./common.ts";
import { printLogs } from "./logs.ts";
import { waitWorkflows, watchWorkflow } from "./watch.ts";

interface SubmitFlags extends ConnectionFlags {
  parameter?: string[];
  parameterFile?: string;
  entrypoint?: string;
  name?: string;
  generateName?: string;
  labels?: string;
  serviceaccount?: string;
  from?: string;
  wait?: boolean;
  watch?: boolean;
  log?: boolean;
  output?: string;
  dryRun?: boolean;
  serverDryRun?: boolean;
}

/** Reads the files (`-` is stdin) into documents, failing with every YAML problem. */
async function readDocuments(files: string[]): Promise<LoadedDocument[]> {
  const docs: LoadedDocument[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    let text: string;
    const label = file === "-" ? "<stdin>" : file;
    try {
      text = file === "-" ? await new Response(Deno.stdin.readable).text() : await Deno.readTextFile(file);
    } catch (e) {
      throw new CliError(`cannot read ${file}: ${e instanceof Deno.errors.NotFound ? "no such file" : e}`);
    }
    const loaded = loadText(text, label);
    docs.push(...loaded.documents);
    problems.push(...loaded.problems);
  }
  if (problems.length > 0) throw new LintFailure(problems);
  return docs;
}

class LintFailure extends Error {
  constructor(readonly problems: Problem[]) {
    super(`${problems.length} problem(s)`);
  }
}

/** `-f params.yaml` (a map of name: value) followed by `-p` pairs (which win). */
async function parameterPairs(flags: SubmitFlags): Promise<string[]> {
  const pairs: string[] = [];
  if (flags.parameterFile) {
    let values: unknown;
    try {
      values = parseGoYaml(await Deno.readTextFile(flags.parameterFile));
    } catch (e) {
      throw new CliError(`--parameter-file ${flags.parameterFile}: ${e instanceof Error ? e.message : e}`);
    }
    if (values === null || typeof values !== "object" || Array.isArray(values)) {
      throw new CliError(`--parameter-file ${flags.parameterFile}: expected a map of parameter name: value`);
    }
    for (const [k, v] of Object.entries(values)) {
      pairs.push(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
  }
  for (const p of flags.parameter ?? []) {
    if (p.indexOf("=") <= 0) throw new CliError(`-p ${p}: expected NAME=VALUE`);
    pairs.push(p);
  }
  return pairs;
}

function submitOptions(flags: SubmitFlags, parameters: string[]): SubmitOptions {
  const o: SubmitOptions = {};
  if (flags.name) o.name = flags.name;
  if (flags.generateName) o.generateName = flags.generateName;
  if (flags.entrypoint) o.entryPoint = flags.entrypoint;
  if (flags.labels) o.labels = flags.labels;
  if (flags.serviceaccount) o.serviceAccount = flags.serviceaccount;
  if (parameters.length > 0) o.parameters = parameters;
  if (flags.serverDryRun) o.serverDryRun = true;
  return o;
}

/** Prints what was submitted and follows it as asked; returns false when `--wait` saw a failure. */
async function report(
  client: ApiClient,
  created: Workflow[],
  flags: SubmitFlags,
  output: string,
): Promise<boolean> {
  const encoder = new TextEncoder();
  for (const wf of created) {
    let text: string;
    if (output === "name") text = `${wf.metadata.name}\n`;
    else if (output === "json" || output === "yaml") text = formatObject(wf, output);
    else text = printWorkflow(wf, { output: output === "wide" ? "wide" : "", color: useColor() });
    Deno.stdout.writeSync(encoder.encode(text));
  }
  if (flags.dryRun || flags.serverDryRun) return true;
  const names = created.map((w) => w.metadata.name ?? "");
  if (flags.log) {
    for (const name of names) await printLogs(client, name, { follow: true });
  }
  if (flags.wait) return await waitWorkflows(client, names, { quiet: !(output === "" || output === "wide") });
  if (flags.watch) {
    for (const name of names) await watchWorkflow(client, name, { output: output === "wide" ? "wide" : "" });
  }
  return true;
}

/** Adds `submit`. */
export function addSubmitCommand(program: Command): void {
  withConnection(
    program.command("submit").description("submit workflows from files (- for stdin) or from a template")
      .argument(
        "[files...]",
        "workflow files (YAML or JSON, several documents each)",
      ),
  )
    .option("-p, --parameter <name=value>", "set a workflow parameter (repeatable)", collect)
    .option("-f, --parameter-file <file>", "a YAML or JSON file of parameter name: value")
    .option("--entrypoint <template>", "start from this template")
    .option("--name <name>", "the workflow's name")
    .option("--generate-name <prefix>", "a prefix the server completes into a name")
    .option("-l, --labels <labels>", "labels to add, e.g. a=b,c=d")
    .option("--serviceaccount <name>", "the service account to run the workflow with")
    .option(
      "--from <kind/name>",
      "submit from a workflowtemplate/NAME, clusterworkflowtemplate/NAME or cronwf/NAME",
    )
    .option("--wait", "wait for the workflows to finish; exit 1 if any failed")
    .option("--watch", "show the workflow as it runs")
    .option("--log", "print the workflow's logs as it runs")
    .option("-o, --output <format>", "name, wide, json or yaml")
    .option("--dry-run", "lint and print the workflows, submit nothing")
    .option("--server-dry-run", "have the server check the workflows, create nothing")
    .action(clientAction(async (files: string[], flags: SubmitFlags) => {
      const output = checkOutput(flags.output, ["", "name", "wide", "json", "yaml"]);
      const parameters = await parameterPairs(flags);
      const opts = submitOptions(flags, parameters);
      if (flags.from) {
        if (files.length > 0) throw new CliError("give either files or --from, not both");
        const slash = flags.from.indexOf("/");
        if (slash <= 0) {
          throw new CliError(`--from ${flags.from}: expected KIND/NAME, e.g. workflowtemplate/my-template`);
        }
        const client = await connect(flags);
        const wf = await client.call<Workflow>(
          "POST",
          client.path("/api/v1/workflows/{}/submit", client.namespace),
          {
            resourceKind: flags.from.slice(0, slash),
            resourceName: flags.from.slice(slash + 1),
            submitOptions: { ...opts, ...(flags.dryRun ? { dryRun: true } : {}) },
          },
        );
        if (!(await report(client, [wf], flags, output))) Deno.exitCode = 1;
        return;
      }
      if (files.length === 0) {
        throw new CliError("name the workflow files to submit (- for stdin), or use --from");
      }
      let docs: LoadedDocument[];
      try {
        docs = await readDocuments(files);
        const passed = parameterNames(opts.parameters ?? []);
        const problems = lintDocuments(docs, { target: "local", parameters: passed }).filter((p) =>
          p.severity === "error"
        );
        if (problems.length > 0) throw new LintFailure(problems);
      } catch (e) {
        if (!(e instanceof LintFailure)) throw e;
        for (const p of e.problems) console.error(formatProblem(p));
        console.error(`skiff: not submitted: ${e.problems.length} error(s)`);
        Deno.exitCode = 1;
        return;
      }
      const workflows = docs.filter((d) => d.kind === "Workflow").map((d) => d.value as Workflow);
      const other = docs.find((d) => d.kind !== "Workflow");
      if (other) {
        throw new CliError(
          `${other.file}: document ${other.index + 1} is a ${other.kind ?? "document without kind"}; ` +
            `submit takes Workflows (create templates with "skiff template create", cron workflows with "skiff cron create")`,
        );
      }
      if (workflows.length === 0) throw new CliError(`no workflows in ${files.join(" ")}`);
      const ready = workflows.map((wf) => applySubmitOptions(wf, opts));
      if (flags.dryRun) {
        await report(await connect(flags), ready, flags, output);
        return;
      }
      const client = await connect(flags);
      const created: Workflow[] = [];
      for (const wf of ready) {
        created.push(
          await client.call<Workflow>("POST", client.path("/api/v1/workflows/{}", client.namespace), {
            workflow: wf,
            ...(flags.serverDryRun ? { serverDryRun: true } : {}),
          }),
        );
      }
      if (!(await report(client, created, flags, output))) Deno.exitCode = 1;
    }));
}
