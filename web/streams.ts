/**
 * Streamed responses as Argo Server sends them: each item wrapped as `{"result": item}`, either as
 * newline-delimited JSON or as server-sent events (`data: {...}` blocks), chosen by the request's
 * Accept header. An error after the stream started is sent as `{"error": {code, message}}`.
 */
import { toServiceError } from "./errors.ts";

/** How a stream is written. */
export type StreamFormat = "ndjson" | "sse";

/**
 * The format a request asks for: SSE when Accept names text/event-stream, NDJSON when it names a
 * JSON type, else `fallback`.
 */
export function streamFormat(accept: string | undefined, fallback: StreamFormat): StreamFormat {
  const a = (accept ?? "").toLowerCase();
  if (a.includes("text/event-stream")) return "sse";
  if (a.includes("application/json") || a.includes("application/x-ndjson")) return "ndjson";
  return fallback;
}

/** Options of {@link streamResponse}. */
export interface StreamOptions {
  format: StreamFormat;
  /** Ends the stream when aborted (the client going away cancels it anyway). */
  signal?: AbortSignal;
  /** Seconds between keep-alive comments of an SSE stream (default 15). */
  heartbeatSeconds?: number;
}

/** A streaming Response of `items(signal)`, each as `{"result": item}`. */
export function streamResponse<T>(
  items: (signal: AbortSignal) => AsyncIterable<T>,
  opts: StreamOptions,
): Response {
  const encoder = new TextEncoder();
  const abort = new AbortController();
  const onClientGone = () => abort.abort();
  opts.signal?.addEventListener("abort", onClientGone, { once: true });
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const frame = (value: unknown): string =>
    opts.format === "sse" ? `data: ${JSON.stringify(value)}\n\n` : JSON.stringify(value) + "\n";

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!abort.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      if (opts.format === "sse") {
        heartbeat = setInterval(() => send(": keep-alive\n\n"), (opts.heartbeatSeconds ?? 15) * 1000);
      }
      try {
        for await (const item of items(abort.signal)) {
          if (abort.signal.aborted) break;
          send(frame({ result: item }));
        }
      } catch (err) {
        if (!abort.signal.aborted) {
          const e = toServiceError(err);
          const errorFrame = { error: { code: e.code, message: e.message } };
          send(opts.format === "sse" ? `event: error\n${frame(errorFrame)}` : frame(errorFrame));
        }
      } finally {
        clearInterval(heartbeat);
        opts.signal?.removeEventListener("abort", onClientGone);
        if (!abort.signal.aborted) {
          try {
            controller.close();
          } catch {
            // already closed by the client going away
          }
        }
      }
    },
    cancel() {
      clearInterval(heartbeat);
      abort.abort();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": opts.format === "sse" ? "text/event-stream" : "application/json",
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    },
  });
}
