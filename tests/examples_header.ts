/**
 * The machine-readable header of each file in examples/, shared by the engine-only example test
 * (tests/engine/examples.test.ts) and the end-to-end runs (tests/e2e/):
 *
 * ```
 * # Runs-on: local
 * # Params: -p message=goodbye
 * # Expect-phase: Succeeded
 * # Expect-node: <displayName> <phase>
 * # Expect-output: <displayName> <result|parameters.NAME|exitCode> = <value>
 * # Expect-log: <displayName> <substring>
 * ```
 *
 * `@root` names the workflow's root node. The header ends at the first line not starting with `#`.
 */
import type { NodeStatus, Workflow } from "../controller/spec/types.ts";

/** What an example's header says. */
export interface ExampleHeader {
  /** `local` or `kubernetes`. */
  runsOn: string;
  /** `name=value` overrides from `# Params: -p name=value ...`. */
  params: string[];
  /** Accepted final phases of the workflow (`Succeeded|Failed` allows either). */
  phase: string[];
  /** [displayName, phase]. */
  nodes: [string, string][];
  /** [displayName, field, value]; field is `result`, `exitCode` or `parameters.NAME`. */
  outputs: [string, string, string][];
  /** [displayName, substring of its log]. */
  logs: [string, string][];
}

/** Parses the `# Key: value` header of an example. */
export function parseExampleHeader(text: string): ExampleHeader {
  const h: ExampleHeader = { runsOn: "local", params: [], phase: [], nodes: [], outputs: [], logs: [] };
  for (const line of text.split("\n")) {
    if (!line.startsWith("#")) break;
    const m = /^# ([A-Za-z-]+): (.*)$/.exec(line);
    if (!m) continue;
    const [, key, value = ""] = m;
    const [first = "", ...rest] = value.split(" ");
    if (key === "Runs-on") h.runsOn = value.trim();
    if (key === "Params") h.params.push(...[...value.matchAll(/-p\s+(\S+)/g)].map((x) => x[1] ?? ""));
    if (key === "Expect-phase") h.phase = value.trim().split("|");
    if (key === "Expect-node") h.nodes.push([first, rest.join(" ").trim()]);
    if (key === "Expect-output") {
      const eq = rest.join(" ").indexOf(" = ");
      const tail = rest.join(" ");
      h.outputs.push([first, tail.slice(0, eq).trim(), tail.slice(eq + 3)]);
    }
    if (key === "Expect-log") h.logs.push([first, rest.join(" ")]);
  }
  return h;
}

/** One file of examples/ with its header. */
export interface Example {
  /** File name, e.g. `hello-world.yaml`. */
  name: string;
  /** Absolute path. */
  path: string;
  text: string;
  header: ExampleHeader;
}

/** The examples directory. */
export const EXAMPLES_DIR = new URL("../examples/", import.meta.url);

/** Every `.yaml` file of examples/, in name order. */
export function listExamples(): Example[] {
  return [...Deno.readDirSync(EXAMPLES_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".yaml"))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const url = new URL(name, EXAMPLES_DIR);
      const text = Deno.readTextFileSync(url);
      return { name, path: url.pathname, text, header: parseExampleHeader(text) };
    });
}

/** The name an expectation uses for a node: `@root` for the workflow's root node, else its displayName. */
export function displayOf(wf: Workflow, node: NodeStatus): string {
  return node.name === wf.metadata.name ? "@root" : node.displayName ?? node.name;
}

/** The value an `Expect-output` field names, read from a node's outputs. */
export function outputOf(node: NodeStatus, field: string): string | undefined {
  const out = node.outputs;
  if (field === "exitCode") return out?.exitCode;
  if (field === "result") return out?.result;
  return out?.parameters?.find((p) => `parameters.${p.name}` === field)?.value;
}
