/**
 * A real skiff server for API tests: started in this process on a free port, with a temp data dir,
 * the process runtime and a generated token; requests go over real HTTP.
 */
import { type RunningServer, startServer } from "../../cli/server.ts";
import { Store } from "../../controller/local/store.ts";

/** A server under test and a small client of it. */
export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  server: RunningServer;
  /** A JSON call with the token; returns the status and the parsed body. */
  api<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  /** A raw request with the token (no body parsing). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * Runs `fn` against a fresh server, then stops it and removes its data. `seed` writes to the
 * server's store before it starts (e.g. thousands of finished workflows, without running them).
 */
export async function withServer(
  fn: (s: TestServer) => Promise<void>,
  opts: { seed?: (store: Store) => void } = {},
): Promise<void> {
  const dataDir = await Deno.makeTempDir({ prefix: "skiff-web-" });
  if (opts.seed) {
    const store = Store.open(dataDir);
    try {
      store.transaction(opts.seed);
    } finally {
      store.close();
    }
  }
  const lines: string[] = [];
  const server = await startServer({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    runtime: "process",
    authMode: "token",
    version: "v0.0.0-test",
    log: (l) => lines.push(l),
  });
  const token = server.token!;
  const raw = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
    return fetch(server.url + path, { ...init, headers });
  };
  const t: TestServer = {
    url: server.url,
    token,
    dataDir,
    server,
    fetch: raw,
    async api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const res = await raw(path, {
        method,
        headers: { "content-type": "application/json", ...headers },
        ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: res.status, body: parsed as T };
    },
  };
  try {
    await fn(t);
  } finally {
    await server.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

/** A workflow of one step that echoes `text` (busybox's echo, run as a host process). */
export function echoWorkflow(name: string, text = "hello", extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: {
      entrypoint: "main",
      templates: [{ name: "main", container: { image: "busybox", command: ["echo"], args: [text] } }],
      ...extra,
    },
  };
}

/** A workflow that waits at a suspend step between two echo steps. */
export function suspendWorkflow(name: string) {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Workflow",
    metadata: { name },
    spec: {
      entrypoint: "main",
      templates: [
        {
          name: "main",
          steps: [
            [{ name: "build", template: "say" }],
            [{ name: "approve", template: "approve" }],
            [{ name: "release", template: "say" }],
          ],
        },
        { name: "approve", suspend: {} },
        { name: "say", container: { image: "busybox", command: ["echo"], args: ["step done"] } },
      ],
    },
  };
}

/** Polls until `fn` returns a value (not undefined), or fails after `ms`. */
export async function eventually<T>(
  fn: () => Promise<T | undefined>,
  ms = 20000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until a workflow has the phase. */
export function phaseOf(s: TestServer, name: string, phase: string): Promise<Record<string, unknown>> {
  return eventually(
    async () => {
      const r = await s.api<{ status?: { phase?: string } }>("GET", `/api/v1/workflows/default/${name}`);
      return r.body.status?.phase === phase ? r.body as Record<string, unknown> : undefined;
    },
    20000,
    `workflow ${name} to be ${phase}`,
  );
}

/** Waits until the node with this display name has the phase. */
export function nodePhaseOf(s: TestServer, name: string, node: string, phase: string): Promise<void> {
  type Wf = { status?: { nodes?: Record<string, { displayName?: string; phase?: string }> } };
  return eventually(
    async () => {
      const r = await s.api<Wf>("GET", `/api/v1/workflows/default/${name}`);
      const n = Object.values(r.body.status?.nodes ?? {}).find((x) => x.displayName === node);
      return n?.phase === phase ? true : undefined;
    },
    20000,
    `node ${node} of ${name} to be ${phase}`,
  ).then(() => {});
}

/**
 * Reads a stream's messages (server-sent `data:` frames, or newline-delimited JSON when the
 * response is application/json) until `stop` says enough or `ms` pass, then cancels it.
 */
export async function readStream<T>(
  res: Response,
  stop: (messages: T[]) => boolean,
  ms = 20000,
): Promise<T[]> {
  const sse = res.headers.get("content-type") === "text/event-stream";
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const messages: T[] = [];
  let buffer = "";
  const deadline = Date.now() + ms;
  while (!stop(messages) && Date.now() < deadline) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<{ value: undefined; done: true }>((resolve) => {
      timer = setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now());
    });
    const { value, done } = await Promise.race([reader.read(), timeout]);
    clearTimeout(timer);
    if (done) break;
    buffer += value;
    const sep = sse ? "\n\n" : "\n";
    let at: number;
    while ((at = buffer.indexOf(sep)) >= 0) {
      const frame = buffer.slice(0, at);
      buffer = buffer.slice(at + sep.length);
      const data = sse
        ? frame.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n")
        : frame.trim();
      if (data) messages.push(JSON.parse(data) as T);
    }
  }
  await reader.cancel();
  return messages;
}
