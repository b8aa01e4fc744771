/**
 * `skiff run FILE`: lint a workflow, run it on this machine with the embedded local host (in this
 * process: no server), show it as `argo watch` would with each step's log, and exit 0 when it
 * Succeeded, 1 otherwise.
 *
 * ```
 * skiff run examples/steps.yaml
 * skiff run examples/hello-world.yaml --runtime podman --image-map 'docker/whalesay=localhost/skiff-test'
 * skiff run wf.yaml -p message=hi -o json > result.json
 * skiff run wf.yaml --data-dir ./state     # killed meanwhile? then:
 * skiff run --continue --data-dir ./state  # finishes it; finished steps do not run again
 * ```
 *
 * Ctrl-C stops the workflow as `argo stop` does (running steps are stopped, exit handlers run); a
 * second Ctrl-C terminates it (`argo terminate`: exit handlers are skipped); a third leaves at once.
 */
import type { Command } from "commander";
import { stringify } from "yaml";
import { LocalHost } from "../controller/local/host.ts";
import { Store, type StoredWorkflow } from "../controller/local/store.ts";
import { ImageMap, type RuntimeKind } from "../controller/local/runtime/mod.ts";
import { formatProblem } from "../controller/spec/problem.ts";
import type { Workflow } from "../controller/spec/types.ts";
import { CliError } from "./errors.ts";
import { prepareWorkflow, workflowImages } from "./run_prepare.ts";
import { chooseRuntime, parseMaxSteps, RunSetupError } from "./run_runtime.ts";
import { RunView } from "./run_view.ts";

interface RunFlags {
  parameter?: string[];
  entrypoint?: string;
  runtime: string;
  imageMap?: string[];
  dataDir?: string;
  resources?: string[];
  output?: string;
  continue: boolean;
  maxSteps?: string;
}

/** What `skiff run` keeps in its data dir so that `--continue` can pick the run up again. */
export interface RunRecord {
  namespace: string;
  name: string;
  runtime: "podman" | "process";
  imageMap: string;
  /** Files whose Secrets and ConfigMaps the run uses (the workflow's own file first), read again on --continue. */
  resourceFiles: string[];
}

/** The file in the data dir that holds the {@link RunRecord}. */
export const RUN_RECORD = "skiff-run.json";

const RUNTIMES = ["auto", "podman", "process"];

/** Adds the `run` command. */
export function addRunCommand(program: Command): void {
  program
    .command("run")
    .description("lint a workflow file and run it on this machine, showing its steps and logs until it ends")
    .argument("[file]", "the workflow file (YAML or JSON, one kind: Workflow document; - for stdin)")
    .option("-p, --parameter <name=value>", "set a workflow parameter (repeatable)", collect)
    .option("--entrypoint <template>", "run this template instead of spec.entrypoint")
    .option(
      "--runtime <kind>",
      "auto (podman when it can run the workflow's images, else host processes), podman or process",
      "auto",
    )
    .option(
      "--image-map <rules>",
      "replace images by local ones, e.g. 'docker/whalesay=localhost/skiff-test' or '*=localhost/skiff-test' (repeatable; rules separated by commas)",
      collect,
    )
    .option(
      "--data-dir <dir>",
      "where the run's store, step files and logs are kept; default: a new temporary directory, removed when the run ends",
    )
    .option(
      "--resources <file>",
      "Secrets and ConfigMaps (kind: Secret / ConfigMap manifests) the workflow reads, besides those in its own file (repeatable)",
      collect,
    )
    .option(
      "--max-steps <n>",
      "at most N steps run at once, the others wait (Pending) in order; default 4 per core",
    )
    .option(
      "-o, --output <format>",
      "print the final Workflow (with its status) as json or yaml on stdout; progress goes to stderr",
    )
    .option(
      "--continue",
      "continue the run a killed `skiff run --data-dir DIR` left in DIR (no FILE): finished steps are not run again, running ones are adopted",
      false,
    )
    .addHelpText(
      "after",
      `
Exit code: 0 when the workflow Succeeded, 1 when it did not (or lint found errors), 2 on a usage error.
Ctrl-C stops the workflow (exit handlers run); a second Ctrl-C terminates it.
Steps are podman containers (--runtime podman) or processes of this machine (--runtime process, which
ignores images: the commands run with this machine's programs). auto picks podman when it is installed
and has every image the workflow names (after --image-map), else processes, and says why.`,
    )
    .action(async (file: string | undefined, flags: RunFlags) => {
      Deno.exitCode = await runCommand(file, flags);
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `skiff run`: returns the exit code. */
async function runCommand(file: string | undefined, flags: RunFlags): Promise<number> {
  if (flags.output !== undefined && flags.output !== "json" && flags.output !== "yaml") {
    throw new CliError(`unknown output format "${flags.output}"; use -o json or -o yaml`);
  }
  if (!RUNTIMES.includes(flags.runtime)) {
    throw new CliError(`unknown runtime "${flags.runtime}"; use --runtime auto, podman or process`);
  }
  if (flags.continue && !flags.dataDir) {
    throw new CliError("--continue needs the --data-dir of the run to continue");
  }
  if (flags.continue && file) {
    throw new CliError("--continue takes no FILE: it continues the run kept in --data-dir");
  }
  if (!flags.continue && !file) throw new CliError("missing the workflow FILE (see skiff run --help)");
  const maxSteps = flags.maxSteps === undefined ? undefined : parseMaxSteps(flags.maxSteps);
  let imageMap: ImageMap;
  try {
    imageMap = new ImageMap((flags.imageMap ?? []).join(","));
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  // Progress goes to stdout unless stdout carries the final workflow.
  const progress = flags.output ? Deno.stderr : Deno.stdout;
  // Notes go to stderr, or above the live tree once it is shown on a terminal.
  const notes = { say: (line: string) => console.error(line) };
  const say = (line: string) => notes.say(line);

  let workflow: Workflow | undefined;
  let others: unknown[] = [];
  let record: RunRecord | undefined;
  if (flags.continue) {
    record = await readRecord(flags.dataDir!);
  } else {
    const prepared = await prepareWorkflow(file!, {
      params: flags.parameter ?? [],
      ...(flags.entrypoint ? { entrypoint: flags.entrypoint } : {}),
    });
    for (const p of [...prepared.errors, ...prepared.warnings]) say(formatProblem(p));
    if (!prepared.workflow) {
      say(`skiff: ${prepared.errors.length} error(s) in ${file}: not running it (see skiff lint)`);
      return 1;
    }
    workflow = prepared.workflow;
    others = prepared.others;
  }

  const tempDir = flags.dataDir ? undefined : await Deno.makeTempDir({ prefix: "skiff-run-" });
  const dataDir = flags.dataDir ?? tempDir!;
  await Deno.mkdir(dataDir, { recursive: true });
  await claimDataDir(dataDir);
  let store: Store | undefined;
  let host: LocalHost | undefined;
  try {
    store = Store.open(dataDir);
    const images = workflow ? workflowImages(workflow) : workflowImages(storedOf(store, record!).object);
    const kind =
      (flags.continue && flags.runtime === "auto" ? record!.runtime : flags.runtime) as RuntimeKind;
    const chosen = await chooseRuntime({
      kind,
      dataDir,
      images: flags.continue && !flags.imageMap ? new ImageMap(record!.imageMap) : imageMap,
      mapGiven: flags.imageMap !== undefined,
      workflowImages: images,
      note: say,
      warn: say,
      ...(maxSteps !== undefined ? { maxSteps } : {}),
    });
    say(`skiff: ${chosen.reason}`);
    // The Secrets and ConfigMaps of the workflow's file and of --resources files (again on --continue).
    const resourceFiles = record?.resourceFiles ?? (file && file !== "-" ? [await Deno.realPath(file)] : []);
    try {
      const resources = chosen.runtime.resources;
      if (workflow) resources.addDocuments(others, file);
      else if (resourceFiles[0]) {
        resources.addText(await Deno.readTextFile(resourceFiles[0]), resourceFiles[0]);
      }
      for (const f of [...(record?.resourceFiles?.slice(1) ?? []), ...(flags.resources ?? [])]) {
        await resources.loadFile(f);
      }
    } catch (e) {
      throw new RunSetupError(e instanceof Error ? e.message : String(e));
    }
    host = new LocalHost({ store, runtime: chosen.runtime, log: say });

    let stored: StoredWorkflow<Workflow>;
    if (workflow) {
      stored = host.submit(workflow);
      record = {
        namespace: stored.namespace,
        name: stored.name,
        runtime: chosen.kind,
        imageMap: imageMap.rules.map((r) => `${r.from}=${r.to}`).join(","),
        resourceFiles: [
          ...resourceFiles,
          ...await Promise.all((flags.resources ?? []).map((f) => Deno.realPath(f))),
        ],
      };
      await Deno.writeTextFile(`${dataDir}/${RUN_RECORD}`, JSON.stringify(record, null, 2) + "\n");
    } else {
      stored = storedOf(store, record!);
      say(`skiff: continuing workflow ${stored.name} from ${dataDir}`);
      await host.recover();
    }
    const final = await follow(host, stored, progress, notes);
    // Pods are removed as their steps end, the last ones maybe not yet: remove what is left.
    if (chosen.kind === "podman") {
      await chosen.runtime.cleanup({ namespace: stored.namespace, name: stored.name }).catch(() => {});
    }
    if (flags.output === "json") console.log(JSON.stringify(final.object, null, 2));
    if (flags.output === "yaml") console.log(stringify(final.object));
    return final.object.status?.phase === "Succeeded" ? 0 : 1;
  } catch (e) {
    if (e instanceof RunSetupError) {
      say(`skiff: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    await host?.close();
    store?.close();
    if (tempDir) await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    else await Deno.remove(`${dataDir}/${PID_FILE}`).catch(() => {});
  }
}

const PID_FILE = "skiff-run.pid";

/** Makes sure no other live `skiff run` uses the data dir (two hosts on one store would both run steps). */
async function claimDataDir(dataDir: string): Promise<void> {
  const path = `${dataDir}/${PID_FILE}`;
  const pid = Number.parseInt(await Deno.readTextFile(path).catch(() => ""), 10);
  if (Number.isFinite(pid) && pid !== Deno.pid) {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (cmdline.includes("run")) {
      throw new CliError(
        `another skiff run (pid ${pid}) is using ${dataDir}; stop it first, or use another --data-dir`,
      );
    }
  }
  await Deno.writeTextFile(path, `${Deno.pid}\n`);
}

/** Shows the workflow until it ends; Ctrl-C stops it, a second terminates it, a third leaves. */
async function follow(
  host: LocalHost,
  stored: StoredWorkflow<Workflow>,
  out: typeof Deno.stdout,
  notes: { say: (line: string) => void },
): Promise<StoredWorkflow<Workflow>> {
  const { namespace, name } = stored;
  const view = new RunView(host, namespace, name, { out });
  notes.say = (line) => view.note(line);
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts >= 3) {
      view.note("skiff: leaving now; the workflow's steps may still run");
      Deno.exit(130);
    }
    const strategy = interrupts === 1 ? "Stop" : "Terminate";
    view.note(
      interrupts === 1
        ? `skiff: stopping workflow ${name} (exit handlers run); press Ctrl-C again to terminate it`
        : `skiff: terminating workflow ${name}; press Ctrl-C again to leave at once`,
    );
    try {
      host.update(namespace, name, (wf) => ({ ...wf, spec: { ...wf.spec, shutdown: strategy } }));
    } catch (e) {
      view.note(
        `skiff: could not ${strategy.toLowerCase()} the workflow: ${e instanceof Error ? e.message : e}`,
      );
    }
  };
  Deno.addSignalListener("SIGINT", onInterrupt);
  try {
    const done = host.waitFor(namespace, name);
    let finished = false;
    done.then(() => (finished = true), () => (finished = true));
    while (!finished) {
      await view.update();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([done, new Promise((r) => (timer = setTimeout(r, 250)))]);
      clearTimeout(timer);
    }
    await done;
    // Logs are collected right after a step ends: give the last ones a moment to be stored.
    await new Promise((r) => setTimeout(r, 50));
    await view.finish();
    return host.get(namespace, name)!;
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
}

async function readRecord(dataDir: string): Promise<RunRecord> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dataDir}/${RUN_RECORD}`)) as RunRecord;
  } catch (e) {
    throw new CliError(
      `--continue: ${dataDir} holds no run of skiff run (${dataDir}/${RUN_RECORD}: ${
        e instanceof Error ? e.message : e
      })`,
    );
  }
}

function storedOf(store: Store, record: RunRecord): StoredWorkflow<Workflow> {
  const stored = store.getWorkflow<Workflow>(record.namespace, record.name);
  if (!stored) throw new CliError(`--continue: workflow ${record.name} is not in the store any more`);
  return stored;
}
