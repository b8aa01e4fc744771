/// <reference lib="dom" />
/**
 * The UI's client of skiff's (Argo Server's) REST API. Requests go to the same origin and carry
 * the `authorization` cookie; a 401 opens the token prompt.
 */
import type { Workflow } from "./types.ts";

/** A failed call: the HTTP status and the server's `{code, message}`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: number, readonly code: number | undefined, message: string) {
    super(message);
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the API answers 401 (the prompt shows itself). */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

async function failure(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  let code: number | undefined;
  let message = text || `${res.status} ${res.statusText}`;
  try {
    const body = JSON.parse(text) as { code?: number; message?: string };
    code = body.code;
    if (body.message) message = body.message;
  } catch {
    // not JSON
  }
  if (res.status === 401) { for (const fn of unauthorizedListeners) fn(); }
  return new ApiError(res.status, code, message);
}

/** A JSON call; throws {@link ApiError} on a non-2xx answer. */
export async function api<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { accept: "application/json" } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { ...init.headers, "content-type": "application/json" };
  }
  if (signal) init.signal = signal;
  const res = await fetch(path, init);
  if (!res.ok) throw await failure(res);
  return await res.json() as T;
}

/** `encodeURIComponent` of each part, joined by `/`. */
export function path(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : encodeURIComponent(p))).join("/");
}

/** Stores the token in the cookie the API accepts (`authorization: Bearer <token>`). */
export function setToken(token: string): void {
  const value = token.trim() === "" ? "" : encodeURIComponent(`Bearer ${token.trim()}`);
  const expiry = value === "" ? "; max-age=0" : "; max-age=31536000";
  document.cookie = `authorization=${value}; path=/; SameSite=Strict${expiry}`;
}

/** Is a token cookie set? */
export function hasToken(): boolean {
  return document.cookie.split(";").some((c) => c.trim().startsWith("authorization="));
}

/**
 * Reads a newline-delimited JSON stream of `{result}` items (Argo's streaming form), calling
 * `onItem` for each, until it ends or `signal` aborts. Throws ApiError on a non-2xx answer.
 */
export async function streamNdjson<T>(
  url: string,
  onItem: (item: T) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(url, {
    credentials: "same-origin",
    headers: { accept: "application/json" },
    signal,
  });
  if (!res.ok) throw await failure(res);
  if (!res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line === "") continue;
        const msg = JSON.parse(line) as { result?: T; error?: { message?: string; code?: number } };
        if (msg.error) throw new ApiError(500, msg.error.code, msg.error.message ?? "stream failed");
        if (msg.result !== undefined) onItem(msg.result);
      }
    }
  } finally {
    reader.releaseLock();
  }
}

/** A workflow change from the events stream. */
export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: Workflow;
}

/**
 * Watches workflows through server-sent events (`/api/v1/workflow-events/{ns}`), reconnecting
 * after a drop. Returns a function that stops watching.
 */
export function watchWorkflows(
  namespace: string,
  query: Record<string, string>,
  onEvent: (e: WatchEvent) => void,
  onStatus: (connected: boolean, error?: string) => void,
): () => void {
  const qs = new URLSearchParams(query).toString();
  const url = `/api/v1/workflow-events/${encodeURIComponent(namespace)}${qs ? `?${qs}` : ""}`;
  const source = new EventSource(url, { withCredentials: true });
  source.onopen = () => onStatus(true);
  source.onmessage = (m) => {
    const msg = JSON.parse(m.data as string) as { result?: WatchEvent };
    if (msg.result) onEvent(msg.result);
  };
  source.addEventListener("error", (m) => {
    const data = (m as MessageEvent).data as string | undefined;
    let message: string | undefined;
    if (data) {
      try {
        message = (JSON.parse(data) as { error?: { message?: string } }).error?.message;
      } catch {
        // a connection error, not an error event
      }
    }
    onStatus(false, message);
    if (source.readyState === EventSource.CLOSED) {
      // Closed for good (e.g. a 401 before the stream started): ask whether we are still allowed in.
      api("GET", "/api/v1/userinfo").catch(() => {});
    }
  });
  return () => source.close();
}
