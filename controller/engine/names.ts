/**
 * Node names, node ids and pod names, built exactly as Argo Workflows builds them, so that a status
 * written by skiff reads like one written by Argo (and a restarted host finds its pods again).
 *
 * - node name: `wf` (root), `wf[0]` (step group), `wf[0].step` (step), `wf.task` (DAG task),
 *   `name(0:value)` (loop item), `name(1)` (retry attempt), `name.onExit` (exit handler),
 *   `name.hooks.running` (lifecycle hook).
 * - node id: the workflow name for the root, else `<wf>-<fnv32a(nodeName)>` (decimal).
 * - pod name (Argo "v2"): `<wf>-<template>-<fnv32a(nodeName)>`, prefix cut to 242 characters.
 */

const encoder = new TextEncoder();

/** 32-bit FNV-1a of the UTF-8 bytes of `text`, as Go's `hash/fnv` New32a computes it. */
export function fnv32a(text: string): number {
  let hash = 0x811c9dc5;
  // ASCII is its own UTF-8 (names mostly are): hashed without encoding.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return fnv32aBytes(encoder.encode(text));
    hash ^= c;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

function fnv32aBytes(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (const byte of bytes) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** Argo's `Workflow.NodeID`: the root node's id is the workflow name, others `<wf>-<fnv32a(name)>`. */
export function nodeId(workflowName: string, nodeName: string): string {
  if (nodeName === workflowName) return workflowName;
  return `${workflowName}-${fnv32a(nodeName)}`;
}

const maxK8sResourceNameLength = 253;
const k8sNamingHashLength = 10;
const maxPrefixLength = maxK8sResourceNameLength - k8sNamingHashLength;

/**
 * Argo's `GeneratePodName` (pod names v2): `<wf>-<template>-<fnv32a(nodeName)>`; the workflow name
 * alone for a pod that is the root node; without the template part when the template has no name
 * (inline templates).
 */
export function podName(workflowName: string, nodeName: string, templateName: string): string {
  if (workflowName === nodeName) return workflowName;
  let prefix = workflowName;
  if (templateName !== "") prefix = `${prefix}-${templateName}`;
  if (prefix.length > maxPrefixLength - 1) prefix = prefix.slice(0, maxPrefixLength - 1);
  return `${prefix}-${fnv32a(nodeName)}`;
}

/** `wf[0]`: the node of the i-th step group of a steps node. */
export function stepGroupName(stepsNodeName: string, index: number): string {
  return `${stepsNodeName}[${index}]`;
}

/** `parent.child`: a step of a step group, or a task of a DAG. */
export function childName(parentName: string, name: string): string {
  return `${parentName}.${name}`;
}

/** `name(3)`: the n-th attempt of a Retry node. */
export function retryAttemptName(retryNodeName: string, attempt: number): string {
  return `${retryNodeName}(${attempt})`;
}

/** `name.onExit`: the exit handler of a node (or of the workflow, on its root). */
export function onExitNodeName(parentNodeName: string): string {
  return `${parentNodeName}.onExit`;
}

/** `name.hooks.<hook>`: a lifecycle hook of a node (or of the workflow). */
export function hookNodeName(parentNodeName: string, hook: string): string {
  return `${parentNodeName}.hooks.${hook}`;
}

/**
 * Argo's `generateNodeName` for loop items: `name(index:description)`, parentheses removed from the
 * description. `description` is what Go's `fmt.Sprint` prints for the item (see {@link itemLabel}).
 */
export function loopItemName(name: string, index: number, description: string): string {
  return `${name}(${loopItemTail(index, description)}`;
}

/** What follows `name(` in {@link loopItemName}: `index:description)`. */
export function loopItemTail(index: number, description: string): string {
  const clean = description.includes("(") || description.includes(")")
    ? description.replaceAll("(", "").replaceAll(")", "")
    : description;
  return `${index}:${clean})`;
}

/**
 * How Argo prints a loop item in a node name: strings bare, numbers and booleans as written, maps as
 * `key:value` pairs sorted and joined by commas, lists as `[a b c]` (Go's `fmt.Sprint` of a slice).
 */
export function itemLabel(item: unknown): string {
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    const pairs = Object.entries(item as Record<string, unknown>).map(([k, v]) => `${k}:${itemString(v)}`);
    pairs.sort();
    return pairs.join(",");
  }
  if (Array.isArray(item)) return `[${item.map(itemString).join(" ")}]`;
  return itemString(item);
}

/**
 * Argo's `Item.String()`: a string item without its quotes, anything else as compact JSON (map keys
 * in the order Go's JSON encoder writes them: sorted).
 */
export function itemString(item: unknown): string {
  if (typeof item === "string") return item;
  return sortedJson(item);
}

/** JSON with object keys sorted, as Go's `encoding/json` writes maps. */
export function sortedJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  const keys = Object.keys(value as Record<string, unknown>).sort();
  return `{${
    keys.map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`).join(",")
  }}`;
}

/** Argo's `parseLoopIndex`: the index of a loop item node from its name, `a.b(3:x)` -> 3. */
export function loopIndexOf(nodeName: string): number {
  const last = nodeName.split("(").at(-1) ?? "";
  const index = Number.parseInt(last.split(":")[0] ?? "", 10);
  return Number.isNaN(index) ? 0 : index;
}

/**
 * Argo's `getStepOrDAGTaskName`: the step or task name a node belongs to, ignoring the loop and retry
 * suffixes, `wf[0].fanout(0:1)(0)` -> `fanout`.
 */
export function stepOrTaskName(nodeName: string): string {
  let opener = "";
  let name = nodeName;
  for (let i = nodeName.length - 1; i >= 0; i--) {
    const ch = nodeName[i];
    if (ch === opener) opener = "";
    else if (opener !== "") continue;
    else if (ch === ")") opener = "(";
    else if (ch === "]") opener = "[";
    else {
      name = nodeName.slice(0, i + 1);
      break;
    }
  }
  const dot = name.lastIndexOf(".");
  return dot >= 0 ? name.slice(dot + 1) : name;
}
