/**
 * The workflow's status as stored in the Workflow resource: `status.nodes`, or, once its JSON is
 * larger than a threshold, `status.compressedNodes` = base64(gzip(JSON of the nodes)), as Argo
 * stores it (Argo's clients read either). Reading always gives back `nodes`.
 */
import type { NodeStatus, Workflow, WorkflowStatus } from "../spec/types.ts";

/** base64(gzip(text)). */
export async function gzipBase64(text: string): Promise<string> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return toBase64(bytes);
}

/** The text of base64(gzip(text)). */
export async function gunzipBase64(data: string): Promise<string> {
  const stream = new Blob([fromBase64(data)]).stream().pipeThrough(new DecompressionStream("gzip"));
  return await new Response(stream).text();
}

/** The status with `nodes` (decompressed from `compressedNodes` if need be). */
export async function expandStatus(status: WorkflowStatus | undefined): Promise<WorkflowStatus | undefined> {
  if (!status?.compressedNodes) return status;
  const { compressedNodes, ...rest } = status;
  const nodes = JSON.parse(await gunzipBase64(compressedNodes)) as Record<string, NodeStatus>;
  return { ...rest, nodes };
}

/** A workflow whose status has `nodes`. */
export async function expandWorkflow<T extends Workflow>(wf: T): Promise<T> {
  if (!wf.status?.compressedNodes) return wf;
  return { ...wf, status: await expandStatus(wf.status) };
}

/** The status to store: `nodes` compressed into `compressedNodes` when their JSON is over `threshold` bytes. */
export async function compactStatus(status: WorkflowStatus, threshold: number): Promise<WorkflowStatus> {
  if (!status.nodes) return status;
  const json = JSON.stringify(status.nodes);
  if (json.length <= threshold) return status;
  const { nodes: _, ...rest } = status;
  return { ...rest, compressedNodes: await gzipBase64(json) };
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) s += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
