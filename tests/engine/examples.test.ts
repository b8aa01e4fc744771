/**
 * Every example in examples/ that runs locally, driven through the engine with pods scripted from
 * the example's own `# Expect-` header: the phases, exit codes, results and parameters it expects.
 */
import { equal, ok } from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { applyParameters, resumeWorkflow } from "../../controller/engine/mod.ts";
import type { Workflow } from "../../controller/spec/types.ts";
import type { RunSpec } from "../../controller/engine/actions.ts";
import { type PodScript, runWorkflow } from "./driver.ts";
import {
  displayOf,
  type ExampleHeader as Header,
  outputOf,
  parseExampleHeader as header,
} from "../examples_header.ts";

const dir = new URL("../../examples/", import.meta.url);

/** Examples the engine cannot run as Argo does, with the reason. */
const known: Record<string, string> = {};

/** A pod's behaviour, from what the header expects of the node. */
function scriptFor(h: Header, display: string, run: RunSpec, workflow: Workflow): PodScript {
  const s: PodScript = {};
  const expected = h.nodes.find(([n]) => n === display)?.[1];
  for (const [n, field, value] of h.outputs) {
    if (n !== display) continue;
    if (field === "exitCode") s.exitCode = Number(value);
    else if (field === "result") s.stdout = `${value}\n`;
    else if (field.startsWith("parameters.")) s.parameters = { ...s.parameters, [field.slice(11)]: value };
  }
  if (s.exitCode === undefined && (expected === "Failed" || expected === "Error")) {
    // A template with its own deadline is expected to be killed by it, not to exit.
    const tmpl = workflow.spec.templates?.find((t) => t.name === run.templateName);
    if (tmpl?.activeDeadlineSeconds !== undefined || tmpl?.timeout !== undefined) s.hang = true;
    else s.exitCode = 1;
  }
  if (s.stdout === undefined) {
    const logs = h.logs.filter(([n]) => n === display).map(([, l]) => l);
    if (logs.length > 0) s.stdout = `${logs.join("\n")}\n`;
  }
  if (run.daemon) s.daemon = true;
  // Coin flips (random in Argo) come up heads here.
  if (s.stdout === undefined && /heads/.test(run.script?.source ?? run.main.args?.join(" ") ?? "")) {
    s.stdout = "heads\n";
  }
  s.stdout ??= "";
  return s;
}

for (
  const entry of [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".yaml")).sort((a, b) =>
    a.name < b.name ? -1 : 1
  )
) {
  const text = Deno.readTextFileSync(new URL(entry.name, dir));
  const h = header(text);
  const ignore = h.runsOn !== "local" || h.phase.length === 0 || entry.name in known;
  Deno.test({
    name: `example ${entry.name}`,
    ignore,
    fn: () => {
      // A file may carry more documents (e.g. the Secret it reads): the workflow is the Workflow one.
      let workflow = parseAllDocuments(text).map((d) => d.toJS() as Workflow).find((d) =>
        d.kind === "Workflow"
      )!;
      workflow.metadata.name ??= (workflow.metadata.generateName ?? "wf-").replace(/-$/, "") + "-x7k2p";
      if (h.params.length > 0) workflow = applyParameters(workflow, h.params);
      const root = workflow.metadata.name;
      // Suspended without a duration: resume once, as the examples' expectations assume.
      const waits = workflow.spec.templates?.some((t) => t.suspend && !t.suspend.duration) ?? false;
      const r = runWorkflow(workflow, {
        ...(waits ? { at: { 30: (w: Workflow) => resumeWorkflow(w) } } : {}),
        scriptFor: (run, display) => scriptFor(h, display === root ? "@root" : display, run, workflow),
      });
      ok(
        h.phase.includes(r.status.phase ?? ""),
        `${entry.name}: phase ${r.status.phase} (${r.status.message ?? ""}), expected ${h.phase.join("|")}`,
      );
      const nodes = Object.values(r.status.nodes ?? {});
      for (const [display, phase] of h.nodes) {
        const node = nodes.find((n) => displayOf(r.workflow, n) === display);
        ok(
          node,
          `${entry.name}: no node ${display} (have ${nodes.map((n) => displayOf(r.workflow, n)).join(", ")})`,
        );
        equal(node.phase, phase, `${entry.name}: node ${display}`);
      }
      for (const [display, field, value] of h.outputs) {
        const node = nodes.find((n) => displayOf(r.workflow, n) === display);
        ok(node, `${entry.name}: no node ${display}`);
        equal(outputOf(node, field), value, `${entry.name}: ${display} ${field}`);
      }
      for (const [display] of h.logs) {
        ok(
          nodes.some((n) => displayOf(r.workflow, n) === display),
          `${entry.name}: no node ${display} to log`,
        );
      }
    },
  });
}
