/// <reference lib="webworker" />
/**
 * The layout worker (bundled as /assets/layout.js): lays out each request it is sent, so a big
 * graph's layout never blocks the page. Messages: `{seq, request}` in, `{seq, result}` or
 * `{seq, error}` out.
 *
 * @module
 */
import { layout } from "./layout.ts";
import type { LayoutPlan } from "./model.ts";

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = (e: MessageEvent<{ seq: number; request: LayoutPlan }>) => {
  const { seq, request } = e.data;
  try {
    scope.postMessage({ seq, result: layout(request) });
  } catch (err) {
    scope.postMessage({ seq, error: err instanceof Error ? err.message : String(err) });
  }
};
