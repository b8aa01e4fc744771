/**
 * From a workflow's `status.nodes` to a layout plan (pure: no DOM, so it is tested in Deno).
 *
 * Edges are the nodes' `children`. Big graphs are big because of loops and fan-outs: many sibling
 * units of the same shape (a loop's pods; a loop over a steps template, each item a small
 * subgraph; parallel chains of a DAG). A unit is a node with everything it dominates (every path
 * from the workflow's root to those nodes passes through it). Siblings whose units have the same
 * shape, the same parents and the same way out become one *block*: the layout library lays out
 * one unit and the graph with the block as one node, and the block shows the units in a grid. A
 * 2,000-pod loop costs the layout one node instead of 2,000, and reads as one block on screen.
 */
import type { NodeStatus } from "../types.ts";

/** Sizes of what is drawn. */
export const SIZE = {
  /** A box (pods, steps, DAGs, suspends). */
  boxW: 180,
  boxH: 36,
  /** A step or task group: a small circle. */
  dot: 16,
  /** Gaps between the units of a block's grid (wider between units of several nodes). */
  gridGapX: 16,
  gridGapY: 16,
  unitGapX: 32,
  unitGapY: 44,
  /** Padding inside a block, and room for its caption above the grid. */
  blockPad: 12,
  blockCaption: 20,
};

/** Siblings of one shape form a block when there are at least this many. */
export const MIN_BLOCK = 8;

/** A graph for the layout library. */
export interface PlanGraph {
  nodes: { id: string; width: number; height: number }[];
  edges: [string, string][];
}

/** Sibling units of one shape, shown as a grid. */
export interface PlanBlock {
  id: string;
  /** The node ids of each unit, in the same (canonical) order for every unit. */
  units: string[][];
  /** One unit's graph (the first unit's ids), laid out once for all. */
  unit: PlanGraph;
  /** A caption such as `400 × process(…)`. */
  caption: string;
}

/** What the layout is asked to do. */
export interface LayoutPlan {
  /** The graph with each block as one node (its size is known after the unit's layout). */
  main: PlanGraph;
  blocks: PlanBlock[];
  /** dagre's ranker: network-simplex (best looking) for small graphs, longest-path (fast) for large. */
  ranker: "network-simplex" | "longest-path";
}

/** A point. */
export interface Point {
  x: number;
  y: number;
}

/** Where the layout put things (centers). */
export interface LayoutResult {
  /** Every node of the workflow. */
  nodes: Record<string, Point>;
  /** Edges between nodes or blocks (`from`/`to` are node or block ids). */
  edges: { from: string; to: string; points: Point[] }[];
  blocks: { id: string; x: number; y: number; width: number; height: number; caption: string }[];
  width: number;
  height: number;
  /** How long the layout took (ms). */
  ms: number;
}

/** Is this node drawn as a small circle (a step or task group)? */
export function isDot(n: Pick<NodeStatus, "type">): boolean {
  return n.type === "StepGroup" || n.type === "TaskGroup";
}

/** The size a node is drawn at. */
export function nodeSize(n: Pick<NodeStatus, "type">): { width: number; height: number } {
  return isDot(n) ? { width: SIZE.dot, height: SIZE.dot } : { width: SIZE.boxW, height: SIZE.boxH };
}

/**
 * A key that changes when the graph's shape changes (nodes or edges added or removed), and not
 * when only phases or times do: the layout is computed again only then.
 */
export function structureKey(nodes: Record<string, NodeStatus>): string {
  let key = "";
  for (const id of Object.keys(nodes).sort()) key += `${id}:${nodes[id]!.children?.length ?? 0};`;
  return key;
}

/** Columns of a grid of `n` cells of `w` × `h`: about as wide as tall on screen, a bit wider. */
export function gridColumns(n: number, w: number, h: number): number {
  return Math.max(1, Math.min(n, Math.ceil(Math.sqrt((n * 2 * h) / w))));
}

/** The graph of a workflow's nodes: ids in status order, children (existing only), parents. */
interface Graph {
  ids: string[];
  children: Map<string, string[]>;
  parents: Map<string, string[]>;
}

function graphOf(nodes: Record<string, NodeStatus>): Graph {
  const ids = Object.keys(nodes);
  const children = new Map<string, string[]>();
  const parents = new Map<string, string[]>();
  for (const id of ids) parents.set(id, []);
  for (const id of ids) {
    const kids = [...new Set((nodes[id]!.children ?? []).filter((c) => c in nodes && c !== id))];
    children.set(id, kids);
    for (const c of kids) parents.get(c)!.push(id);
  }
  return { ids, children, parents };
}

/** Reverse postorder from the roots (nodes without parents; all nodes are reached). */
function reversePostorder(g: Graph): string[] {
  const seen = new Set<string>();
  const post: string[] = [];
  const roots = g.ids.filter((id) => g.parents.get(id)!.length === 0);
  const starts = [...roots, ...g.ids]; // a cycle without a root is still reached
  for (const start of starts) {
    if (seen.has(start)) continue;
    seen.add(start);
    const stack: [string, number][] = [[start, 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const kids = g.children.get(top[0])!;
      if (top[1] < kids.length) {
        const c = kids[top[1]++]!;
        if (!seen.has(c)) {
          seen.add(c);
          stack.push([c, 0]);
        }
      } else {
        post.push(top[0]);
        stack.pop();
      }
    }
  }
  return post.reverse();
}

/** Immediate dominators (Cooper, Harvey, Kennedy), from a virtual root above every root. */
function dominators(g: Graph, rpo: string[]): Map<string, string> {
  const ROOT = "\u0000root";
  const index = new Map<string, number>([[ROOT, -1]]);
  rpo.forEach((id, i) => index.set(id, i));
  const idom = new Map<string, string>();
  const preds = (id: string) => {
    const ps = g.parents.get(id)!;
    return ps.length === 0 ? [ROOT] : ps;
  };
  const intersect = (a: string, b: string) => {
    while (a !== b) {
      while (index.get(a)! > index.get(b)!) a = idom.get(a)!;
      while (index.get(b)! > index.get(a)!) b = idom.get(b)!;
    }
    return a;
  };
  idom.set(ROOT, ROOT);
  for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
    changed = false;
    for (const id of rpo) {
      let next: string | undefined;
      for (const p of preds(id)) {
        if (!idom.has(p)) continue; // not processed yet (a back edge)
        next = next === undefined ? p : intersect(p, next);
      }
      if (next !== undefined && idom.get(id) !== next) {
        idom.set(id, next);
        changed = true;
      }
    }
  }
  idom.delete(ROOT);
  return idom;
}

interface Unit {
  head: string;
  /** Members in canonical order (BFS from the head over children in order). */
  members: string[];
  /** Shape: types and internal edges by canonical index; equal shapes lay out alike. */
  shape: string;
  /** Targets outside the unit, sorted. */
  exits: string;
}

function unitOf(head: string, g: Graph, nodes: Record<string, NodeStatus>, dominated: Set<string>): Unit {
  const members = [head];
  const at = new Map<string, number>([[head, 0]]);
  for (let i = 0; i < members.length; i++) {
    for (const c of g.children.get(members[i]!)!) {
      if (dominated.has(c) && !at.has(c)) {
        at.set(c, members.length);
        members.push(c);
      }
    }
  }
  let shape = "";
  const exits = new Set<string>();
  for (const [i, id] of members.entries()) {
    shape += `${nodes[id]!.type}>`;
    for (const c of g.children.get(id)!) {
      const j = at.get(c);
      if (j === undefined) exits.add(c);
      else shape += `${j},`;
    }
    shape += ";";
    void i;
  }
  return { head, members, shape, exits: [...exits].sort().join(",") };
}

/** The layout plan of a workflow's nodes. */
export function layoutPlan(nodes: Record<string, NodeStatus>): LayoutPlan {
  const g = graphOf(nodes);
  const rpo = reversePostorder(g);
  const order = new Map(rpo.map((id, i) => [id, i]));
  const idom = dominators(g, rpo);
  const domKids = new Map<string, string[]>();
  for (const [id, d] of idom) {
    if (!(d in nodes)) continue;
    let list = domKids.get(d);
    if (!list) domKids.set(d, list = []);
    list.push(id);
  }
  const dominatedBy = (head: string): Set<string> => {
    const out = new Set<string>([head]);
    const stack = [head];
    while (stack.length > 0) {
      for (const k of domKids.get(stack.pop()!) ?? []) {
        out.add(k);
        stack.push(k);
      }
    }
    return out;
  };

  // Candidates: siblings with the same parents, in groups big enough to be a block.
  const byParents = new Map<string, string[]>();
  for (const id of rpo) {
    const ps = g.parents.get(id)!;
    if (ps.length === 0) continue;
    const key = [...ps].sort().join(",");
    let list = byParents.get(key);
    if (!list) byParents.set(key, list = []);
    list.push(id);
  }
  const absorbed = new Map<string, string>(); // node -> block id
  const blocks: PlanBlock[] = [];
  const candidates = [...byParents.values()]
    .filter((l) => l.length >= MIN_BLOCK)
    .sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
  const childIndex = new Map<string, number>();
  for (const id of g.ids) g.children.get(id)!.forEach((c, i) => childIndex.has(c) || childIndex.set(c, i));
  for (const list of candidates) {
    // Loop items in their order (the parent's children order), not the traversal's.
    const siblings = [...list].sort((a, b) => (childIndex.get(a) ?? 0) - (childIndex.get(b) ?? 0));
    const byShape = new Map<string, Unit[]>();
    for (const head of siblings) {
      if (absorbed.has(head)) continue;
      const unit = unitOf(head, g, nodes, dominatedBy(head));
      if (unit.members.some((m) => absorbed.has(m))) continue;
      const key = `${unit.shape}|${unit.exits}`;
      let list = byShape.get(key);
      if (!list) byShape.set(key, list = []);
      list.push(unit);
    }
    for (const units of byShape.values()) {
      if (units.length < MIN_BLOCK) continue;
      const first = units[0]!;
      const id = `block:${first.head}`;
      for (const u of units) for (const m of u.members) absorbed.set(m, id);
      const inUnit = new Set(first.members);
      const unit: PlanGraph = {
        nodes: first.members.map((m) => ({ id: m, ...nodeSize(nodes[m]!) })),
        edges: first.members.flatMap((m) =>
          g.children.get(m)!.filter((c) => inUnit.has(c)).map((c) => [m, c] as [string, string])
        ),
      };
      blocks.push({
        id,
        units: units.map((u) => u.members),
        unit,
        caption: `${units.length} × ${baseName(nodes[first.head]!)}`,
      });
    }
  }

  const main: PlanGraph = { nodes: [], edges: [] };
  for (const id of g.ids) if (!absorbed.has(id)) main.nodes.push({ id, ...nodeSize(nodes[id]!) });
  for (const b of blocks) main.nodes.push({ id: b.id, width: 0, height: 0 }); // sized by the layout
  const seen = new Set<string>();
  for (const id of g.ids) {
    const from = absorbed.get(id) ?? id;
    for (const c of g.children.get(id)!) {
      const to = absorbed.get(c) ?? c;
      const key = `${from}\n${to}`;
      if (from === to || seen.has(key)) continue;
      seen.add(key);
      main.edges.push([from, to]);
    }
  }
  return { main, blocks, ranker: main.nodes.length <= 150 ? "network-simplex" : "longest-path" };
}

/** `process(3:item)` -> `process(…)`: what a loop's nodes have in common. */
function baseName(n: NodeStatus): string {
  const name = n.displayName ?? n.name;
  const paren = name.indexOf("(");
  return paren > 0 ? `${name.slice(0, paren)}(…)` : name;
}

/** The gaps between units of a block: wider when a unit is more than one node. */
export function unitGaps(unitNodes: number): { x: number; y: number } {
  return unitNodes > 1 ? { x: SIZE.unitGapX, y: SIZE.unitGapY } : { x: SIZE.gridGapX, y: SIZE.gridGapY };
}

/** Size of a block of `units` units of `w` × `h` (of `unitNodes` nodes each), and its grid's columns. */
export function blockSize(
  units: number,
  w: number,
  h: number,
  unitNodes = 1,
): { width: number; height: number; cols: number } {
  const gap = unitGaps(unitNodes);
  const cols = gridColumns(units, w + gap.x, h + gap.y);
  const rows = Math.ceil(units / cols);
  return {
    cols,
    width: cols * w + (cols - 1) * gap.x + 2 * SIZE.blockPad,
    height: rows * h + (rows - 1) * gap.y + 2 * SIZE.blockPad + SIZE.blockCaption,
  };
}
