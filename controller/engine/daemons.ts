/** Daemon steps: once their steps/dag template is done, they are stopped (Argo's `killDaemonedChildren`). */

import { type Op, touch } from "./context.ts";

/**
 * Marks the daemoned children of `boundaryID` Succeeded (no longer daemoned); the host is then told
 * to kill their pods, as for every finished node whose pod still runs.
 */
export function killDaemonedChildren(op: Op, boundaryID: string): void {
  for (const seen of op.tree.values()) {
    if (seen.boundaryID !== boundaryID || seen.daemoned !== true) continue;
    stopDaemon(op, seen.id);
  }
}

/** Stops every daemon of the workflow (when the workflow ends). */
export function killAllDaemons(op: Op): void {
  for (const seen of op.tree.values()) {
    if (seen.daemoned === true) stopDaemon(op, seen.id);
  }
}

function stopDaemon(op: Op, id: string): void {
  const node = op.tree.get(id)!;
  touch(op);
  node.phase = "Succeeded";
  delete node.daemoned;
  if (!node.finishedAt) node.finishedAt = op.nowText;
}
