/**
 * Facts of each node that the engine asks of all nodes in every pass (is it a pod still to finish?
 * did it fail? how does it count for progress?), as flags by place (tree.ts). Asking every node of a
 * long workflow in every pass made a reconcile linear in its length; the flags of a result are kept
 * with it for the next reconcile (status.ts keeps them with the progress), where every node not
 * written since is the same object, with the same flags: only the nodes written are read again.
 */

import type { Op } from "./context.ts";
import { phaseFulfilled } from "./nodes.ts";
import type { NodeView } from "./tree.ts";

/** A node whose progress is its own (Argo's `executable` for progress). */
export const EXECUTABLE = 1;
/** An executable node that counts as done (Succeeded, Skipped or Omitted). */
export const COMPLETE = 2;
/** A Pod node not in a final phase. */
export const OPEN_POD = 4;
/** A Failed or Errored node. */
export const FAILED = 8;
/** A Pod node in a final phase, not a daemon. */
export const FINISHED_POD = 16;

/** The flags of `node`. */
export function nodeFlags(node: NodeView): number {
  let flags = 0;
  const { type, phase } = node;
  if (type === "Pod" || type === "Container" || type === "Suspend" || type === "HTTP" || type === "Plugin") {
    flags |= phase === "Succeeded" || phase === "Skipped" || phase === "Omitted"
      ? EXECUTABLE | COMPLETE
      : EXECUTABLE;
  }
  if (type === "Pod") flags |= !phaseFulfilled(phase) ? OPEN_POD : node.daemoned ? 0 : FINISHED_POD;
  if (phase === "Failed" || phase === "Error") flags |= FAILED;
  return flags;
}

/** The flags of the nodes of a record, by place. */
export interface RecordFlags {
  readonly flags: Uint8Array;
}

/**
 * The key in `NodeTree.carry` and `.lasting` of the {@link RecordFlags} kept with a record (with
 * more, by status.ts).
 */
export const RECORD_FLAGS = "record-flags";
/** The key in `NodeTree.carry` of the flags read in this reconcile when none were kept. */
const READ_FLAGS = "read-flags";

/**
 * The places of the nodes that have `flag`, in order: of the nodes given, those not written in this
 * reconcile by their flags, the others read.
 */
export function placesWith(op: Op, flag: number): number[] {
  const given = givenFlags(op);
  const owned = op.tree.ownedSince(0);
  const places: number[] = [];
  if (owned.length === 0) {
    for (let i = 0; i < given.flags.length; i++) if (given.flags[i]! & flag) places.push(i);
    return places;
  }
  const isOwned = new Set(owned.map((id) => op.tree.placeOf(id)!));
  const ownedPlaces = [...isOwned].sort((a, b) => a - b);
  const has = (place: number) => (nodeFlags(op.tree.nodeAt(place)) & flag) !== 0;
  let k = 0;
  for (let i = 0; i < given.flags.length; i++) {
    if (!(given.flags[i]! & flag) || isOwned.has(i)) continue;
    for (; k < ownedPlaces.length && ownedPlaces[k]! < i; k++) {
      if (has(ownedPlaces[k]!)) places.push(ownedPlaces[k]!);
    }
    places.push(i);
  }
  for (; k < ownedPlaces.length; k++) if (has(ownedPlaces[k]!)) places.push(ownedPlaces[k]!);
  return places;
}

/**
 * The flags of the given nodes: those kept with the record, or read at the first question (nodes
 * written before then are read again at each question, as all written nodes are).
 */
function givenFlags(op: Op): RecordFlags {
  const kept = (op.tree.carry.get(RECORD_FLAGS) ?? op.tree.carry.get(READ_FLAGS)) as RecordFlags | undefined;
  if (kept) return kept;
  const flags = new Uint8Array(op.tree.size());
  for (let i = 0; i < flags.length; i++) flags[i] = nodeFlags(op.tree.nodeAt(i));
  const read: RecordFlags = { flags };
  op.tree.carry.set(READ_FLAGS, read);
  return read;
}
