/**
 * A workflow as `argo get` prints it: a header (Name, Namespace, Status, Created, Duration,
 * Progress, Parameters, ...) and the node tree with Argo's glyphs and columns
 * STEP TEMPLATE PODNAME DURATION MESSAGE. Pure: it takes the workflow and the time, so `skiff get`,
 * `skiff watch`, `skiff submit --watch` and an in-process `skiff run` print the same.
 */
import type { NodeStatus, Workflow } from "../controller/spec/types.ts";
import { podName } from "../controller/engine/names.ts";
import { duration, relativeShort, timestamp } from "./humanize.ts";
import { tabulate } from "./tabwriter.ts";

/** How to print. */
export interface TreeOptions {
  /** `wide` adds ARTIFACTS and RESOURCESDURATION columns. */
  output?: "" | "wide";
  /** Only nodes matching this node field selector (e.g. `phase=Failed`). */
  nodeFieldSelector?: string;
  /** ANSI colors (default false). */
  color?: boolean;
  /** ASCII instead of UTF-8 glyphs. */
  noUtf8?: boolean;
  /** The time "now" (ms), for durations of running nodes and "ago". */
  now?: number;
}

const COLORS = { red: 31, green: 32, yellow: 33, cyan: 36, default: 39 };
const GLYPHS: Record<string, [string, string, number]> = {
  Pending: ["◷", "Pending", COLORS.yellow],
  Running: ["●", "Running", COLORS.cyan],
  Succeeded: ["✔", "Succeeded", COLORS.green],
  Skipped: ["○", "Skipped", COLORS.default],
  Failed: ["✖", "Failed", COLORS.red],
  Error: ["⚠", "Error", COLORS.red],
};

function paint(text: string, code: number, color: boolean): string {
  return color ? `\x1b[${code}m${text}\x1b[0m` : text;
}

/** The status word of a workflow as Argo prints it (`Running (Suspended)`, `Failed (Terminated)`, ...). */
export function workflowStatus(wf: Workflow): string {
  const phase = wf.status?.phase ?? "";
  switch (phase) {
    case "Running":
      return isSuspended(wf) ? "Running (Suspended)" : "Running";
    case "Failed":
      return wf.spec.shutdown ? "Failed (Terminated)" : "Failed";
    case "":
    case "Pending":
      return wf.metadata.creationTimestamp ? "Pending" : "Unknown";
    default:
      return phase;
  }
}

/** Is the workflow suspended (spec.suspend, or a suspend node waiting)? */
export function isSuspended(wf: Workflow): boolean {
  if (wf.spec.suspend) return true;
  return Object.values(wf.status?.nodes ?? {}).some((n) => n.type === "Suspend" && n.phase === "Running");
}

/** The header and node tree of `argo get`. */
export function printWorkflow(wf: Workflow, opts: TreeOptions = {}): string {
  const now = opts.now ?? Date.now();
  const row = (k: string, v: unknown) => `${k.padEnd(20)} ${v}\n`;
  const st = wf.status ?? {};
  let out = "";
  out += row("Name:", wf.metadata.name ?? "");
  out += row("Namespace:", wf.metadata.namespace ?? "");
  const sa = wf.spec.serviceAccountName ||
    (wf.spec.workflowTemplateRef ? "unset" : "unset (will run with the default ServiceAccount)");
  out += row("ServiceAccount:", sa);
  out += row("Status:", workflowStatus(wf));
  if (st.message) out += row("Message:", st.message);
  if (st.conditions && st.conditions.length > 0) {
    out += row("Conditions:", "");
    for (const c of st.conditions) out += row(` ${c.type ?? ""}`, c.message || c.status || "");
  }
  if (wf.metadata.creationTimestamp) out += row("Created:", timestamp(wf.metadata.creationTimestamp, now));
  if (st.startedAt) out += row("Started:", timestamp(st.startedAt, now));
  if (st.finishedAt) out += row("Finished:", timestamp(st.finishedAt, now));
  if (st.startedAt) {
    const end = st.finishedAt ? Date.parse(st.finishedAt) : now;
    out += row("Duration:", duration(end - Date.parse(st.startedAt)));
  }
  if (st.phase === "Running" && st.estimatedDuration) {
    out += row("EstimatedDuration:", duration(st.estimatedDuration * 1000));
  }
  out += row("Progress:", st.progress ?? "");
  if (st.resourcesDuration && Object.keys(st.resourcesDuration).length > 0) {
    out += row(
      "ResourcesDuration:",
      Object.entries(st.resourcesDuration).map(([k, v]) => `${v}s*(1 ${k})`).join(","),
    );
  }
  const params = wf.spec.arguments?.parameters ?? [];
  if (params.length > 0) {
    out += row("Parameters:", "");
    for (const p of params) if (p.value !== undefined) out += row(`  ${p.name}:`, p.value);
  }
  const outParams = (st.outputs?.parameters ?? []).filter((p) => p.value !== undefined);
  if (outParams.length > 0) {
    out += row("Output Parameters:", "");
    for (const p of outParams) out += row(`  ${p.name}:`, p.value);
  }
  const tree = printTree(wf, opts);
  if (tree) out += "\n" + tree;
  return out;
}

// ---- the tree, as Argo's convertToRenderTrees / renderNodes

interface RenderNode {
  id: string;
  kind: "boundary" | "parent" | "exec";
  children: RenderNode[];
}

/** The node tree with its column header; "" when the workflow has no root node yet. */
export function printTree(wf: Workflow, opts: TreeOptions = {}): string {
  const nodes = wf.status?.nodes ?? {};
  const name = wf.metadata.name ?? "";
  const roots = renderTrees(wf);
  const rootId = Object.values(nodes).find((n) => n.name === name)?.id;
  const main = rootId ? roots.get(rootId) : undefined;
  if (!main) return "";
  const wide = opts.output === "wide";
  const color = opts.color === true;
  const lines: string[] = [
    wide
      ? `${
        paint("STEP", COLORS.default, color)
      }\tTEMPLATE\tPODNAME\tDURATION\tARTIFACTS\tMESSAGE\tRESOURCESDURATION\tNODENAME`
      : `${paint("STEP", COLORS.default, color)}\tTEMPLATE\tPODNAME\tDURATION\tMESSAGE`,
  ];
  const ctx = { wf, opts, lines, now: opts.now ?? Date.now() };
  render(ctx, main, " ", " ");
  const onExit = Object.values(nodes).find((n) => n.name === `${name}.onExit`);
  const exitRoot = onExit ? roots.get(onExit.id) : undefined;
  if (exitRoot) {
    lines.push(wide ? "\t\t\t\t\t\t\t" : "\t\t\t\t\t");
    render(ctx, exitRoot, " ", " ");
  }
  return tabulate(lines, 2);
}

function renderTrees(wf: Workflow): Map<string, RenderNode> {
  const nodes = wf.status?.nodes ?? {};
  const roots = new Map<string, RenderNode>();
  const boundaries = new Map<string, RenderNode>();
  const waiting = new Map<string, RenderNode[]>();
  const parents = new Map<string, RenderNode>();
  const parentOfChild = new Map<string, RenderNode>();
  for (const [id, n] of Object.entries(nodes)) {
    if (n.type === "StepGroup" || n.type === "Retry") {
      const p: RenderNode = { id, kind: "parent", children: [] };
      parents.set(id, p);
      for (const c of n.children ?? []) parentOfChild.set(c, p);
    }
  }
  const attach = (r: RenderNode, boundaryID: string | undefined): boolean => {
    const parent = parentOfChild.get(r.id);
    if (parent) {
      insertSorted(wf, parent.children, r);
      return false;
    }
    if (!boundaryID) return true;
    const b = boundaries.get(boundaryID);
    if (b) insertSorted(wf, b.children, r);
    else waiting.set(boundaryID, [...(waiting.get(boundaryID) ?? []), r]);
    return false;
  };
  for (const [id, n] of Object.entries(nodes)) {
    let r: RenderNode;
    if (n.type === "DAG" || n.type === "Steps") {
      r = { id, kind: "boundary", children: [] };
      boundaries.set(id, r);
      for (const w of waiting.get(id) ?? []) insertSorted(wf, r.children, w);
      waiting.delete(id);
    } else if (n.type === "StepGroup" || n.type === "Retry") {
      r = parents.get(id)!;
    } else if (["Pod", "Skipped", "Suspend", "HTTP", "Plugin", "Container"].includes(n.type)) {
      r = { id, kind: "exec", children: [] };
    } else {
      continue;
    }
    if (attach(r, n.boundaryID)) roots.set(id, r);
  }
  return roots;
}

function insertSorted(wf: Workflow, list: RenderNode[], item: RenderNode): void {
  const nodes = wf.status?.nodes ?? {};
  const t = (r: RenderNode) => nodes[r.id]?.startedAt ? Date.parse(nodes[r.id]!.startedAt!) : 0;
  const at = t(item);
  let i = 0;
  for (; i < list.length; i++) {
    const other = t(list[i]!);
    if (at < other) break;
    if (at === other) {
      const a = nodes[item.id]?.displayName ?? "";
      const b = nodes[list[i]!.id]?.displayName ?? "";
      const ia = loopIndex(a);
      const ib = loopIndex(b);
      if (ia >= 0 && ib >= 0 ? ia < ib : a < b) break;
    }
  }
  list.splice(i, 0, item);
}

function loopIndex(displayName: string): number {
  const m = /\((\d+):/.exec(displayName);
  return m ? Number(m[1]) : -1;
}

interface Ctx {
  wf: Workflow;
  opts: TreeOptions;
  lines: string[];
  now: number;
}

/** Whether a node is left out, and whether its children then need their own branch glyphs. */
function filtered(n: NodeStatus, opts: TreeOptions): [boolean, boolean] {
  if (n.type === "Retry" && (n.children ?? []).length === 1) return [true, false];
  if (n.type === "StepGroup") return [true, true];
  if (n.type === "Skipped" && n.phase === "Omitted") return [true, false];
  if (opts.nodeFieldSelector && !matchesSelector(opts.nodeFieldSelector, n)) return [true, false];
  return [false, false];
}

function render(ctx: Ctx, r: RenderNode, nodePrefix: string, childPrefix: string): void {
  const n = ctx.wf.status!.nodes![r.id]!;
  const [isFiltered, childIndent] = filtered(n, ctx.opts);
  if (!isFiltered) printNode(ctx, n, nodePrefix);
  if (r.kind === "exec") return;
  const max = r.children.length - 1;
  r.children.forEach((child, i) => {
    const [part, subp] = branch(isFiltered, childIndent, i, max, ctx.opts.noUtf8 === true);
    let childNodePrefix: string;
    if (!isFiltered) childNodePrefix = childPrefix + part;
    else childNodePrefix = (i === 0 ? nodePrefix : childPrefix) + part;
    render(ctx, child, childNodePrefix, childPrefix + subp);
  });
}

function branch(
  parentFiltered: boolean,
  childIndent: boolean,
  i: number,
  max: number,
  ascii: boolean,
): [string, string] {
  const g = ascii
    ? { only: "--", first: "+-", last: "`-", mid: "|-", bar: "| " }
    : { only: "──", first: "┬─", last: "└─", mid: "├─", bar: "│ " };
  if (parentFiltered && childIndent) {
    if (max === 0) return [g.only, "  "];
    if (i === 0) return [g.first, g.bar];
    if (i === max) return [g.last, "  "];
    return [g.mid, g.bar];
  }
  if (!parentFiltered) return i === max ? [g.last, "  "] : [g.mid, g.bar];
  return ["", ""];
}

function printNode(ctx: Ctx, n: NodeStatus, prefix: string): void {
  const { wf, opts } = ctx;
  const color = opts.color === true;
  const glyph = GLYPHS[n.phase ?? ""];
  let icon = glyph ? paint(opts.noUtf8 ? glyph[1] : glyph[0], glyph[2], color) : "";
  if (n.type === "Suspend" && n.phase === "Running") {
    icon = paint(opts.noUtf8 ? "Suspend" : "ǁ", COLORS.cyan, color);
  }
  const label = `${icon} ${n.displayName ?? n.name}`;
  const template = n.templateRef ? `${n.templateRef.name}/${n.templateRef.template}` : n.templateName ?? "";
  const isPod = n.type === "Pod";
  const pod = isPod
    ? podName(wf.metadata.name ?? "", n.name, n.templateRef?.template ?? n.templateName ?? "")
    : "";
  const dur = isPod ? relativeShort(n.startedAt, n.finishedAt, ctx.now) : "";
  const message = n.message ?? "";
  if (opts.output === "wide") {
    const artifacts = (n.outputs?.artifacts ?? []).map((a) => a.name).join(",");
    const res = n.resourcesDuration
      ? Object.entries(n.resourcesDuration).map(([k, v]) => `${v}s*(1 ${k})`).join(",")
      : "";
    ctx.lines.push(`${prefix}${label}\t${template}\t${pod}\t${dur}\t${artifacts}\t${message}\t${res}\t`);
  } else {
    ctx.lines.push(`${prefix}${label}\t${template}\t${pod}\t${dur}\t${message}`);
  }
}

/** `displayName=x,phase!=Running` over a node (as Argo's SelectorMatchesNode). */
export function matchesSelector(selector: string, n: NodeStatus): boolean {
  const fields: Record<string, string> = {
    displayName: n.displayName ?? "",
    templateName: n.templateRef?.template ?? n.templateName ?? "",
    phase: n.phase ?? "",
    name: n.name,
    id: n.id,
    type: n.type,
  };
  return selector.split(",").map((t) => t.trim()).filter(Boolean).every((term) => {
    const m = /^([^!=]+)(==|!=|=)(.*)$/.exec(term);
    if (!m) return false;
    const actual = fields[m[1]!.trim()] ?? "";
    return m[2] === "!=" ? actual !== m[3]!.trim() : actual === m[3]!.trim();
  });
}
