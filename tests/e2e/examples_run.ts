/**
 * Runs the examples of examples/ for real: through the engine and the local host (SQLite store,
 * process or podman runtime), and checks every expectation of the example's header (phase, node
 * phases, outputs, log substrings).
 *
 * Examples a runtime cannot run by design are listed in {@link RUNTIME_LIMITS}; examples that fail
 * because of a gap in skiff are listed in {@link knownGaps} with the exact reason. Neither list
 * weakens an expectation: a listed example is reported as ignored, with its reason in the test's
 * name. `SKIFF_E2E_GAPS=1 deno task test tests/e2e/` runs the known gaps too, to see which got fixed.
 */
import { applyParameters, resumeWorkflow } from "../../controller/engine/mod.ts";
import { LocalHost } from "../../controller/local/host.ts";
import { Store } from "../../controller/local/store.ts";
import { ProcessRuntime } from "../../controller/local/runtime/process.ts";
import { PodmanRuntime } from "../../controller/local/runtime/podman.ts";
import type { Runtime } from "../../controller/local/runtime/mod.ts";
import { normalizeDocument } from "../../controller/spec/normalize.ts";
import { loadText } from "../../controller/spec/load.ts";
import type { NodeStatus, Workflow } from "../../controller/spec/types.ts";
import { displayOf, type Example, listExamples, outputOf } from "../examples_header.ts";
import { testImages, testSetup } from "../local/podman_env.ts";

/** The two local runtimes. */
export type RuntimeName = "process" | "podman";

/** Examples a runtime cannot run by design (not a bug), with the reason. */
export const RUNTIME_LIMITS: Record<RuntimeName, Record<string, string>> = {
  process: {
    "sidecar.yaml": "has a sidecar container; the process runtime runs only the main container: podman only",
    ...needsProgram("cowsay", "runs cowsay (docker/whalesay)", [
      "hello-world.yaml",
      "arguments-parameters.yaml",
      "output-parameters.yaml",
    ]),
    ...needsProgram("busybox", "the client step runs `busybox wget`", ["daemon-step.yaml"]),
  },
  podman: {},
};

/** The process runtime runs this machine's programs: examples that need one it lacks are podman only. */
function needsProgram(program: string, what: string, files: string[]): Record<string, string> {
  const path = (Deno.env.get("PATH") ?? "").split(":");
  const found = path.some((dir) => {
    try {
      return Deno.statSync(`${dir}/${program}`).isFile;
    } catch {
      return false;
    }
  });
  if (found) return {};
  return Object.fromEntries(
    files.map((f) => [f, `${what}, and ${program} is not on this machine's PATH: podman only`]),
  );
}

/**
 * Examples that fail because of a gap in skiff (engine or local host), keyed `runtime:file`, with
 * the exact reason seen. Remove an entry once the gap is fixed.
 */
export const knownGaps: Record<string, string> = {};

/** The examples to run on `runtime`: Runs-on local, with expectations. */
export function localExamples(): Example[] {
  return listExamples().filter((e) => e.header.runsOn === "local" && e.header.phase.length > 0);
}

/** A host of `runtime` on a new data dir. */
export async function newHost(
  runtime: RuntimeName,
  dataDir?: string,
): Promise<{ host: LocalHost; dir: string }> {
  const dir = dataDir ?? await Deno.makeTempDir({ prefix: `skiff-e2e-${runtime}-` });
  let rt: Runtime;
  if (runtime === "process") {
    rt = new ProcessRuntime({ dataDir: dir, graceSeconds: 2, warn: () => {} });
  } else {
    rt = new PodmanRuntime({ dataDir: dir, images: testImages, graceSeconds: 2, setup: await testSetup() });
  }
  return { host: new LocalHost({ store: Store.open(dir), runtime: rt, log: () => {} }), dir };
}

/**
 * The workflow of an example as `skiff run` submits it (normalized, with the header's `-p` values),
 * and the file's other documents (the Secrets and ConfigMaps it reads).
 */
export function exampleDocuments(
  ex: Example,
  runtime?: RuntimeName,
): { workflow: Workflow; others: unknown[] } {
  let text = ex.text;
  // Host processes share this machine's ports (other tests may serve 8080 at the same time).
  if (runtime === "process" && ex.name === "daemon-step.yaml") {
    text = text.replaceAll("8080", String(20000 + Math.floor(Math.random() * 20000)));
  }
  const docs = loadText(text, ex.path).documents;
  const doc = docs.find((d) => d.kind === "Workflow");
  if (!doc) throw new Error(`${ex.name} has no Workflow document`);
  let workflow = normalizeDocument(doc.value) as Workflow;
  if (ex.header.params.length > 0) workflow = applyParameters(workflow, ex.header.params);
  return { workflow, others: docs.filter((d) => d !== doc).map((d) => d.value) };
}

/** What a run of an example gave. */
export interface ExampleRun {
  workflow: Workflow;
  logs: Map<string, string>;
}

/**
 * Runs an example to its end on a new host. A suspend node without a duration is resumed once
 * it waits (as the examples' expectations assume, like `argo resume`).
 */
export async function runExample(
  ex: Example,
  runtime: RuntimeName,
  timeoutMs = 180_000,
): Promise<ExampleRun> {
  const { host, dir } = await newHost(runtime);
  let name: string | undefined;
  try {
    const { workflow, others } = exampleDocuments(ex, runtime);
    host.runtime.resources.addDocuments(others, ex.name);
    const submitted = host.submit(workflow);
    name = submitted.name;
    const done = host.waitFor(submitted.namespace, submitted.name);
    let finished = false;
    done.then(() => (finished = true));
    const deadline = Date.now() + timeoutMs;
    let resumed = false;
    while (!finished) {
      if (Date.now() > deadline) {
        const wf = host.get(submitted.namespace, submitted.name)?.object;
        // Stop what still runs before giving up.
        host.update(
          submitted.namespace,
          submitted.name,
          (w) => ({ ...w, spec: { ...w.spec, shutdown: "Terminate" } }),
        );
        await Promise.race([done, new Promise((r) => setTimeout(r, 10_000))]);
        throw new Error(
          `${ex.name} on ${runtime}: not finished after ${timeoutMs} ms; phase ${wf?.status?.phase}, nodes ${
            Object.values(wf?.status?.nodes ?? {}).map((n) => `${n.displayName}=${n.phase}`).join(" ")
          }`,
        );
      }
      const wf = host.get(submitted.namespace, submitted.name)!.object;
      if (!resumed && waitingSuspend(wf)) {
        resumed = true;
        host.update(submitted.namespace, submitted.name, (w) => resumeWorkflow(w));
      }
      await Promise.race([done, new Promise((r) => setTimeout(r, 100))]);
    }
    const final = (await done).object;
    const logs = new Map<string, string>();
    for (const n of Object.values(final.status?.nodes ?? {})) {
      if (n.type === "Pod") logs.set(n.id, await host.logs(submitted.namespace, submitted.name, n.id));
    }
    return { workflow: final, logs };
  } finally {
    if (name && runtime === "podman") {
      await host.runtime.cleanup({ namespace: "default", name }).catch(() => {});
    }
    await host.close();
    host.store.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** A suspend node that waits for a resume (no duration). */
function waitingSuspend(wf: Workflow): boolean {
  return Object.values(wf.status?.nodes ?? {}).some((n) => {
    if (n.type !== "Suspend" || n.phase !== "Running") return false;
    const t = wf.spec.templates?.find((t) => t.name === n.templateName);
    return t?.suspend?.duration === undefined;
  });
}

/**
 * Every expectation of the header that the run does not meet, as readable lines (empty: all met).
 * A display name that several nodes share (e.g. recursion) must hold for each of them; a log
 * substring must be in the log of at least one.
 */
export function unmetExpectations(ex: Example, run: ExampleRun): string[] {
  const h = ex.header;
  const wf = run.workflow;
  const problems: string[] = [];
  const nodes = Object.values(wf.status?.nodes ?? {}) as NodeStatus[];
  const named = (display: string) => nodes.filter((n) => displayOf(wf, n) === display);
  const have = () => nodes.map((n) => `${displayOf(wf, n)}=${n.phase}`).join(", ");
  const phase = wf.status?.phase ?? "";
  if (!h.phase.includes(phase)) {
    problems.push(
      `workflow phase ${phase} (${wf.status?.message ?? "no message"}), expected ${h.phase.join("|")}`,
    );
  }
  for (const [display, expected] of h.nodes) {
    const found = named(display);
    if (found.length === 0) problems.push(`no node ${display} (have ${have()})`);
    for (const n of found) {
      if (n.phase !== expected) {
        problems.push(
          `node ${display}: ${n.phase}${n.message ? ` (${n.message})` : ""}, expected ${expected}`,
        );
      }
    }
  }
  for (const [display, field, value] of h.outputs) {
    const found = named(display);
    if (found.length === 0) problems.push(`no node ${display} for output ${field}`);
    for (const n of found) {
      const actual = outputOf(n, field);
      if (actual !== value) {
        problems.push(
          `node ${display} ${field}: ${JSON.stringify(actual)}, expected ${JSON.stringify(value)}`,
        );
      }
    }
  }
  for (const [display, substring] of h.logs) {
    const found = named(display);
    if (found.length === 0) {
      problems.push(`no node ${display} to log ${JSON.stringify(substring)}`);
      continue;
    }
    const texts = found.map((n) => run.logs.get(n.id) ?? "");
    if (!texts.some((t) => t.includes(substring))) {
      problems.push(
        `log of ${display} lacks ${JSON.stringify(substring)}; it is ${
          JSON.stringify(texts.join("\n---\n"))
        }`,
      );
    }
  }
  return problems;
}
