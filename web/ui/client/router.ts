/// <reference lib="dom" />
/**
 * The UI's routes: real paths (the server serves the page at each), changed with the History
 * API. Same-origin link clicks are taken over by {@link installLinkHandler}.
 */

/** A page and its arguments. */
export type Route =
  | { page: "workflows"; namespace: string }
  | { page: "workflow"; namespace: string; name: string; node?: string }
  | { page: "submit" }
  | { page: "templates" }
  | { page: "template"; namespace: string; name: string }
  | { page: "cluster-templates" }
  | { page: "cluster-template"; name: string }
  | { page: "crons" }
  | { page: "cron"; namespace: string; name: string }
  | { page: "not-found"; path: string };

const NS_KEY = "skiff.namespace";

/** The namespace the user works in (remembered; `default` at first). */
export function currentNamespace(): string {
  try {
    return localStorage.getItem(NS_KEY) || "default";
  } catch {
    return "default";
  }
}

/** Remembers the namespace. */
export function setNamespace(ns: string): void {
  try {
    localStorage.setItem(NS_KEY, ns);
  } catch {
    // storage refused: the choice lasts this page only
  }
}

/** The route of a path. */
export function parseRoute(pathname: string, search = ""): Route {
  const parts = pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
  const q = new URLSearchParams(search);
  const [head, a, b] = parts;
  switch (head) {
    case undefined:
      return { page: "workflows", namespace: currentNamespace() };
    case "workflows":
      if (a !== undefined && b !== undefined) {
        const node = q.get("node");
        return { page: "workflow", namespace: a, name: b, ...(node ? { node } : {}) };
      }
      return { page: "workflows", namespace: a ?? currentNamespace() };
    case "submit":
      return { page: "submit" };
    case "workflow-templates":
      return a !== undefined && b !== undefined
        ? { page: "template", namespace: a, name: b }
        : { page: "templates" };
    case "cluster-workflow-templates":
      return a !== undefined ? { page: "cluster-template", name: a } : { page: "cluster-templates" };
    case "cron-workflows":
      return a !== undefined && b !== undefined ? { page: "cron", namespace: a, name: b } : { page: "crons" };
  }
  return { page: "not-found", path: pathname };
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** Calls `fn` after every navigation. */
export function onNavigate(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Goes to `href` (same origin) without reloading; `replace` keeps the history entry. */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  for (const fn of listeners) fn();
}

/** Takes over clicks on same-origin links (not those with a modifier key, a target or `download`). */
export function installLinkHandler(): void {
  addEventListener("popstate", () => {
    for (const fn of listeners) fn();
  });
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
    e.preventDefault();
    if (url.pathname + url.search !== location.pathname + location.search) {
      navigate(url.pathname + url.search);
    }
  });
}

/** The path of a workflow's page. */
export function workflowHref(namespace: string, name: string, node?: string): string {
  const base = `/workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  return node ? `${base}?node=${encodeURIComponent(node)}` : base;
}
