/**
 * How the live workflow list applies the watch's events to the page it shows (pure: no DOM, so
 * it is tested without a browser).
 */
import type { Workflow } from "./types.ts";

/** A workflow change as the watch sends it (api.ts' WatchEvent). */
export interface ListEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Workflow;
}

/** The page after a batch of watch events: rows updated, new ones added (first page only), gone ones dropped. */
export function applyEvents(
  items: Workflow[],
  events: ListEvent[],
  firstPage: boolean,
): Workflow[] {
  let out = items;
  for (const e of events) {
    const uid = e.object.metadata.uid;
    const at = out.findIndex((w) => w.metadata.uid === uid);
    if (e.type === "DELETED") {
      if (at >= 0) out = out.filter((_, i) => i !== at);
      continue;
    }
    if (at >= 0) {
      out = out.map((w, i) => (i === at ? e.object : w));
    } else if (firstPage && e.type === "ADDED") {
      // New since the list: it belongs on the first page, newest first.
      out = [e.object, ...out].sort((a, b) =>
        (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")
      );
    }
  }
  return out;
}
