/**
 * A running workflow's nodes written as changes, not whole at every write.
 *
 * The host writes a workflow at every transition. Written whole, a workflow of n nodes costs O(n)
 * bytes a write, and a chain of n steps O(n²) bytes in all: at 200 steps, writing the object was
 * the larger part of the host's time per step (the object's JSON, SQLite's UPDATE of a ~100 KB
 * text and the COMMIT that copies its pages to the WAL), at 1,000 steps some 450 KB a write.
 *
 * So a write of a workflow whose nodes the store wrote before (the same version, in this process)
 * stores in `node_changes` only what changed since: the node objects that are new or changed
 * (a node the engine did not change is the same object, see controller/engine/tree.ts); of a node
 * whose progress alone changed, or whose children were added to besides, only those (in a chain of
 * steps every earlier step group's progress moves at each step, Argo's semantics; in a fan-out the
 * group gains children a few at a time); and the ids of nodes removed (a retry forgets nodes). The rest of the object is the summary column, written at every write anyway. The whole
 * object is written again, and the changes dropped, once the changes would outgrow it, when the
 * workflow has finished, and whenever the store does not know what it wrote last (another process
 * wrote, a transaction was rolled back, the store was opened anew). Reading a workflow applies its
 * changes, in order, to the nodes of the object last written whole.
 */
import type { DatabaseSync } from "node:sqlite";
import { isRecord } from "../spec/lint/util.ts";
import { statement } from "./store_sql.ts";
import type { WorkflowJson } from "./store_json.ts";

/** The table of node changes (one row a write; dropped when the object is written whole). */
export const NODE_CHANGES_SCHEMA = `
CREATE TABLE IF NOT EXISTS node_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workflow_uid TEXT NOT NULL REFERENCES workflows (uid) ON DELETE CASCADE,
  change TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS node_changes_workflow ON node_changes (workflow_uid, id);
`;

type Nodes = Record<string, unknown>;

/** One write's change of the nodes. */
interface NodeChange {
  /** New or changed nodes, whole. */
  set?: Nodes;
  /** Nodes whose progress changed (and nothing else but children added): their new progress. */
  progress?: Record<string, string>;
  /** Nodes that gained children (and changed nothing else but their progress): the children added. */
  children?: Record<string, string[]>;
  /** Nodes removed. */
  removed?: string[];
}

/** What the store last wrote of a workflow's nodes. */
interface Written {
  /** The version that write gave the workflow. */
  version: number;
  nodes: Nodes;
  /** How many nodes (the keys of `nodes`). */
  count: number;
  /** The length of the object last written whole, and of the changes written since. */
  wholeLength: number;
  changesLength: number;
}

/** A change to store: its JSON text, and the number of nodes after it. */
interface Change {
  text: string;
  count: number;
}

/** Phases after which a workflow is written whole (it is read more than written from then on). */
const FINISHED = new Set(["Succeeded", "Failed", "Error"]);

/**
 * Whether a workflow stored in `phase` may have node changes: a finished one was written whole,
 * which dropped them (so reading it needs no look for them).
 */
export function mayHaveChanges(phase: string): boolean {
  return !FINISHED.has(phase);
}

/** Decides how each write of a workflow's nodes is stored, and stores its changes. */
export class NodeChanges {
  #written = new Map<string, Written>();

  constructor(readonly db: DatabaseSync, readonly json: WorkflowJson) {}

  /**
   * The change to store for a write of `nodes` over version `version` of workflow `uid` (the JSON
   * text of the row to insert, and how many nodes there are), or undefined when the object is to be
   * written whole.
   */
  change(uid: string, version: number, nodes: Nodes | undefined, phase: string): Change | undefined {
    const last = this.#written.get(uid);
    if (!last || last.version !== version || !nodes || FINISHED.has(phase)) return undefined;
    const set: Nodes = {};
    const progress: Record<string, string> = {};
    const children: Record<string, string[]> = {};
    let sets = 0, progresses = 0, adds = 0, kept = 0;
    const ids = Object.keys(nodes);
    for (const id of ids) {
      const node = nodes[id];
      const before = last.nodes[id];
      if (before !== undefined) kept++;
      if (node === before) continue;
      const small = smallChange(before, node);
      if (!small) {
        set[id] = node;
        sets++;
        continue;
      }
      if (small.progress !== undefined) {
        progress[id] = small.progress;
        progresses++;
      }
      if (small.children) {
        children[id] = small.children;
        adds++;
      }
    }
    const removed = kept === last.count ? [] : Object.keys(last.nodes).filter((id) => !(id in nodes));
    const parts: string[] = [];
    if (sets > 0) parts.push(`"set":${this.json.nodesText(set)}`);
    if (progresses > 0) parts.push(`"progress":${JSON.stringify(progress)}`);
    if (adds > 0) parts.push(`"children":${JSON.stringify(children)}`);
    if (removed.length > 0) parts.push(`"removed":${JSON.stringify(removed)}`);
    const text = `{${parts.join(",")}}`;
    return last.changesLength + text.length > last.wholeLength ? undefined : { text, count: ids.length };
  }

  /** Stores a change of `nodes` written as version `version` (in the caller's transaction). */
  storeChange(uid: string, version: number, nodes: Nodes, change: Change): void {
    statement(this.db, "INSERT INTO node_changes (workflow_uid, change) VALUES (?, ?)").run(uid, change.text);
    const last = this.#written.get(uid)!;
    this.#written.set(uid, {
      ...last,
      version,
      nodes,
      count: change.count,
      changesLength: last.changesLength + change.text.length,
    });
  }

  /**
   * Records that the object was written whole as version `version`, dropping the changes stored
   * before it (in the caller's transaction; none to drop for a new workflow).
   */
  wroteWhole(
    uid: string,
    w: { version: number; nodes: Nodes | undefined; phase: string; length: number; created?: boolean },
  ): void {
    if (!w.created) statement(this.db, "DELETE FROM node_changes WHERE workflow_uid = ?").run(uid);
    // A finished workflow's next write (a retry, a resubmit) is whole: its nodes need not be kept.
    if (w.nodes && !FINISHED.has(w.phase)) {
      this.#written.set(uid, {
        version: w.version,
        nodes: w.nodes,
        count: Object.keys(w.nodes).length,
        wholeLength: w.length,
        changesLength: 0,
      });
    } else this.#written.delete(uid);
  }

  /** Forgets what was written of `uid` (deleted), or of every workflow (a transaction was rolled back). */
  forget(uid?: string): void {
    if (uid === undefined) this.#written.clear();
    else this.#written.delete(uid);
  }

  /** The changes stored since `uid`'s object was written whole, oldest first (their JSON texts). */
  changes(uid: string): string[] {
    return (statement(this.db, "SELECT change FROM node_changes WHERE workflow_uid = ? ORDER BY id").all(
      uid,
    ) as {
      change: string;
    }[]).map((r) => r.change);
  }
}

/**
 * What changed of `before` to make `node` if that is only its progress and children added at the
 * end of its children (a shallow copy: every other member the same value); undefined otherwise.
 */
function smallChange(before: unknown, node: unknown): { progress?: string; children?: string[] } | undefined {
  if (!isRecord(before) || !isRecord(node)) return undefined;
  const change: { progress?: string; children?: string[] } = {};
  for (const key in node) {
    const now = node[key];
    const was = before[key];
    if (now === was) continue;
    if (key === "progress" && typeof now === "string") change.progress = now;
    else if (key === "children" && Array.isArray(now) && Array.isArray(was) && extends_(now, was)) {
      change.children = now.slice(was.length);
    } else return undefined;
  }
  for (const key in before) if (!(key in node)) return undefined;
  return change;
}

/** Does `longer` start with every element of `shorter`, and have more? */
function extends_(longer: unknown[], shorter: unknown[]): boolean {
  if (longer.length <= shorter.length) return false;
  for (let i = 0; i < shorter.length; i++) if (longer[i] !== shorter[i]) return false;
  return true;
}

/**
 * The object of a workflow whose nodes were written as `changes` since `whole` was written:
 * `summary` (the object without `status.nodes`, as written last) with the nodes of `whole` changed
 * by each change in turn, placed in `status` where `whole` had them.
 */
export function withChanges(whole: string, summary: string, changes: string[]): unknown {
  const base = JSON.parse(whole) as { status?: { nodes?: Nodes } };
  const current = JSON.parse(summary) as { status?: Record<string, unknown> };
  const nodes: Nodes = { ...base.status?.nodes };
  for (const text of changes) {
    const change = JSON.parse(text) as NodeChange;
    for (const id of change.removed ?? []) delete nodes[id];
    Object.assign(nodes, change.set);
    for (const [id, progress] of Object.entries(change.progress ?? {})) {
      nodes[id] = { ...(nodes[id] as object), progress };
    }
    for (const [id, added] of Object.entries(change.children ?? {})) {
      const node = nodes[id] as { children: string[] };
      nodes[id] = { ...node, children: [...node.children, ...added] };
    }
  }
  const status: Record<string, unknown> = {};
  for (const key of Object.keys(base.status ?? {})) {
    if (key === "nodes") status.nodes = nodes;
    else if (current.status && key in current.status) status[key] = current.status[key];
  }
  Object.assign(status, current.status);
  status.nodes = nodes;
  return { ...current, status };
}
