/** Daemon steps: once their steps/dag template is done, they are stopped (Argo's `killDaemonedChildren`). */

import { type Op, touch } from "./context.ts";

/**
 * Marks the daemoned children of `boundaryID` Succeeded (no longer daemoned); the host is then told
 * to kill their pods, as for every finished node whose pod still runs.
 */
export function killDaemonedChildren(op: Op, boundaryID: string): void {
  for (const node of Object.values(op.nodes)) {
    if (node.boundaryID !== boundaryID || node.daemoned !== true) continue;
    touch(op);
    node.phase = "Succeeded";
    delete node.daemoned;
    if (!node.finishedAt) node.finishedAt = op.nowText;
  }
}

/** Stops every daemon of the workflow (when the workflow ends). */
export function killAllDaemons(op: Op): void {
  for (const node of Object.values(op.nodes)) {
    if (node.daemoned !== true) continue;
    touch(op);
    node.phase = "Succeeded";
    delete node.daemoned;
    if (!node.finishedAt) node.finishedAt = op.nowText;
  }
}
