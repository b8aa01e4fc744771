/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/** Short messages in a corner: what an action did, or why it failed. */
import { useEffect, useState } from "../deps/preact.ts";

interface Notice {
  id: number;
  kind: "info" | "error";
  text: string;
}

let next = 1;
let notices: Notice[] = [];
const listeners = new Set<(n: Notice[]) => void>();

function publish() {
  for (const fn of listeners) fn(notices);
}

/** Shows a message for a while (errors stay until closed). */
export function notify(text: string, kind: "info" | "error" = "info"): void {
  const n = { id: next++, kind, text };
  notices = [...notices, n].slice(-5);
  publish();
  if (kind === "info") setTimeout(() => dismiss(n.id), 4000);
}

/** Shows an error (of any kind) until closed. */
export function notifyError(prefix: string, err: unknown): void {
  notify(`${prefix}: ${err instanceof Error ? err.message : String(err)}`, "error");
}

function dismiss(id: number) {
  notices = notices.filter((n) => n.id !== id);
  publish();
}

/** Where notices show. */
export function Notices() {
  const [list, setList] = useState(notices);
  useEffect(() => {
    listeners.add(setList);
    return () => void listeners.delete(setList);
  }, []);
  return (
    <div class="notices" role="status" aria-live="polite">
      {list.map((n) => (
        <div key={n.id} class={`notice ${n.kind}`}>
          <span>{n.text}</span>
          <button type="button" class="link" aria-label="close" onClick={() => dismiss(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}
