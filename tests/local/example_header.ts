/**
 * Running an example of examples/ with the local host and checking its `# Expect-` header (see
 * examples/README.md and tests/examples_header.ts): the final phase, node phases, outputs and log
 * lines a user sees. An example's other documents (its Secrets) go to the runtime's resources.
 */
import assert from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import type { NodeStatus, Workflow } from "../../controller/spec/types.ts";
import type { LocalHost } from "../../controller/local/host.ts";
import { displayOf, outputOf, parseExampleHeader } from "../examples_header.ts";
import { applyParameters } from "../../controller/engine/mod.ts";

/** The documents of an example file: its Workflow and the rest (Secrets, ConfigMaps). */
export function splitDocuments(text: string): { workflow: Workflow; others: unknown[] } {
  const docs = parseAllDocuments(text).map((d) => d.toJS() as unknown);
  const workflow = docs.find((d) => (d as { kind?: string })?.kind === "Workflow") as Workflow | undefined;
  assert.ok(workflow, "the file has no Workflow");
  return { workflow, others: docs.filter((d) => d !== workflow) };
}

/**
 * Submits `text`'s workflow (its other documents go to the runtime's resources unless
 * `withResources` is false), waits for it, and checks the header. Returns the finished workflow.
 */
export async function runExample(
  host: LocalHost,
  text: string,
  opts: { withResources?: boolean; check?: boolean } = {},
): Promise<Workflow> {
  const { workflow, others } = splitDocuments(text);
  if (opts.withResources !== false) host.runtime.resources.addDocuments(others, "example");
  const h = parseExampleHeader(text);
  const submitted = host.submit(h.params.length > 0 ? applyParameters(workflow, h.params) : workflow);
  const done = (await host.waitFor("default", submitted.name)).object;
  if (opts.check === false) return done;
  const nodes = Object.values(done.status?.nodes ?? {});
  const where = (n: NodeStatus | undefined) => n ? ` (${n.phase}: ${n.message ?? ""})` : "";
  const describe = nodes.map((n) => `${displayOf(done, n)}=${n.phase}${n.message ? `: ${n.message}` : ""}`)
    .join("; ");
  assert.ok(
    h.phase.includes(done.status?.phase ?? ""),
    `phase ${done.status?.phase} (${done.status?.message ?? ""}), expected ${h.phase.join("|")}; ${describe}`,
  );
  const find = (display: string) => nodes.find((n) => displayOf(done, n) === display);
  for (const [display, phase] of h.nodes) {
    const n = find(display);
    assert.ok(n, `no node ${display}: ${describe}`);
    assert.equal(n.phase, phase, `node ${display}${where(n)}`);
  }
  for (const [display, field, value] of h.outputs) {
    const n = find(display);
    assert.ok(n, `no node ${display}`);
    assert.equal(outputOf(n, field), value, `${display} ${field}`);
  }
  for (const [display, line] of h.logs) {
    const n = find(display);
    assert.ok(n, `no node ${display} to log`);
    // @root of a steps/dag workflow: the log of its pods.
    const pods = n.type === "Pod" ? [n] : nodes.filter((x) => x.type === "Pod");
    const logs = (await Promise.all(pods.map((p) => host.logs("default", done.metadata.name!, p.id)))).join(
      "",
    );
    assert.ok(logs.includes(line), `log of ${display} has no "${line}":\n${logs}`);
  }
  return done;
}
