/**
 * The CLI's client of skiff's (and Argo Server's) REST API: where the server is and which token to
 * send (flags, then SKIFF_* and ARGO_* variables, then the local server's token file), JSON calls
 * that turn `{code, message}` errors into {@link ApiError}, and streams (NDJSON or SSE).
 */
import type { Command } from "commander";
import { CliError } from "../errors.ts";

/** What every client command accepts to reach the server. */
export interface ConnectionFlags {
  server?: string;
  token?: string;
  namespace?: string;
}

/** An error the server answered with. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: number, readonly code: number, message: string) {
    super(message);
  }
}

/** Adds `--server`, `--token` and `-n/--namespace` to a command. */
export function withConnection(cmd: Command): Command {
  return cmd
    .option(
      "-s, --server <url>",
      "the skiff server (env SKIFF_SERVER or ARGO_SERVER; default http://127.0.0.1:2746)",
    )
    .option(
      "--token <token>",
      "bearer token (env SKIFF_TOKEN or ARGO_TOKEN; default: the local server's token file)",
    )
    .option("-n, --namespace <ns>", 'namespace (env SKIFF_NAMESPACE or ARGO_NAMESPACE; default "default")');
}

/** The base URL of the server. */
export function serverUrl(flags: ConnectionFlags): string {
  const env = Deno.env.get("SKIFF_SERVER") ?? Deno.env.get("ARGO_SERVER");
  let server = flags.server ?? env ?? "http://127.0.0.1:2746";
  if (!/^https?:\/\//.test(server)) {
    // ARGO_SERVER is host:port; Argo's ARGO_SECURE says whether it speaks TLS.
    const secure = (Deno.env.get("SKIFF_SECURE") ?? Deno.env.get("ARGO_SECURE")) === "true";
    server = `${secure ? "https" : "http"}://${server}`;
  }
  return server.replace(/\/+$/, "");
}

async function tokenFor(flags: ConnectionFlags, server: string): Promise<string | undefined> {
  const given = flags.token ?? Deno.env.get("SKIFF_TOKEN") ?? Deno.env.get("ARGO_TOKEN");
  if (given) return given.replace(/^bearer\s+/i, "").trim();
  // A server on this machine keeps its token in its data dir: use it when talking to loopback.
  const host = new URL(server).hostname;
  if (!["127.0.0.1", "localhost", "[::1]", "::1"].includes(host)) return undefined;
  const dataDir = Deno.env.get("SKIFF_DATA_DIR") ?? `${Deno.env.get("HOME") ?? "."}/.skiff`;
  try {
    return (await Deno.readTextFile(`${dataDir}/token`)).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A connection to one server. */
export class ApiClient {
  private constructor(
    readonly server: string,
    readonly token: string | undefined,
    readonly namespace: string,
  ) {}

  /** Connects as the flags and environment say. */
  static async connect(flags: ConnectionFlags): Promise<ApiClient> {
    const server = serverUrl(flags);
    try {
      new URL(server);
    } catch {
      throw new CliError(`--server: "${server}" is not a URL (e.g. http://127.0.0.1:2746)`);
    }
    const ns = flags.namespace ?? Deno.env.get("SKIFF_NAMESPACE") ?? Deno.env.get("ARGO_NAMESPACE") ??
      "default";
    return new ApiClient(server, await tokenFor(flags, server), ns);
  }

  /** `/api/v1/workflows/<ns>` and the like, with the namespace filled in and segments encoded. */
  path(template: string, ...segments: string[]): string {
    let i = 0;
    return template.replace(/\{\}/g, () => encodeURIComponent(segments[i++] ?? ""));
  }

  #headers(accept: string): Headers {
    const h = new Headers({ accept });
    if (this.token) h.set("authorization", `Bearer ${this.token}`);
    return h;
  }

  async #fetch(
    method: string,
    path: string,
    init: { body?: unknown; accept?: string; signal?: AbortSignal },
  ) {
    const headers = this.#headers(init.accept ?? "application/json");
    if (init.body !== undefined) headers.set("content-type", "application/json");
    let res: Response;
    try {
      res = await fetch(this.server + path, {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new ApiError(
        0,
        14,
        `cannot reach the skiff server at ${this.server} (${e instanceof Error ? e.message : e}); ` +
          `start one with "skiff server" or point --server / SKIFF_SERVER at yours`,
      );
    }
    if (!res.ok) {
      const text = await res.text();
      let code = 2;
      let message = text || res.statusText;
      try {
        const body = JSON.parse(text) as { code?: number; message?: string };
        if (typeof body.message === "string") message = body.message;
        if (typeof body.code === "number") code = body.code;
      } catch {
        // not JSON: keep the text
      }
      throw new ApiError(res.status, code, message);
    }
    return res;
  }

  /** A JSON call. */
  async call<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
    const res = await this.#fetch(method, path, body === undefined ? {} : { body });
    return await res.json() as T;
  }

  /** A streamed call: yields each `result`; a streamed `error` is thrown as ApiError. */
  async *stream<T>(path: string, opts: { sse?: boolean; signal?: AbortSignal } = {}): AsyncIterable<T> {
    const res = await this.#fetch("GET", path, {
      accept: opts.sse ? "text/event-stream" : "application/json",
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!res.body) return;
    const decoder = new TextDecoderStream();
    let buffer = "";
    const sep = opts.sse ? "\n\n" : "\n";
    try {
      for await (const chunk of res.body.pipeThrough(decoder)) {
        buffer += chunk;
        let at: number;
        while ((at = buffer.indexOf(sep)) >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + sep.length);
          const value = parseFrame(frame, opts.sse === true);
          if (value === undefined) continue;
          if (value.error) {
            throw new ApiError(200, value.error.code ?? 2, value.error.message ?? "stream error");
          }
          if (value.result !== undefined) yield value.result as T;
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) return;
      throw e;
    }
  }
}

function parseFrame(
  frame: string,
  sse: boolean,
): { result?: unknown; error?: { code?: number; message?: string } } | undefined {
  let text = frame.trim();
  if (sse) {
    const data = frame.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trimStart());
    if (data.length === 0) return undefined; // a comment (keep-alive) or an event without data
    text = data.join("\n");
  }
  if (text === "") return undefined;
  return JSON.parse(text);
}
