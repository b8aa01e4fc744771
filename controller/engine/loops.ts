/**
 * Loops: `withItems`, `withParam` and `withSequence` expand one step or task into one per item,
 * named `name(index:item)` as Argo names them, each with `{{item}}`/`{{item.key}}` substituted.
 */

import type { Item, Sequence } from "../spec/types.ts";
import type { Expr } from "./expr.ts";
import { withScope } from "./expr.ts";
import {
  itemLabel,
  itemString,
  loopItemName as itemNodeName,
  loopItemTail as itemNameTail,
  sortedJson,
} from "./names.ts";

/** What loops over items: a step or a DAG task. */
export interface Loopable {
  name?: string | undefined;
  template?: string | undefined;
  withItems?: Item[] | undefined;
  withParam?: string | undefined;
  withSequence?: Sequence | undefined;
  when?: string | undefined;
}

/** Does this step/task loop? */
export function shouldExpand(step: Loopable): boolean {
  return (step.withItems?.length ?? 0) > 0 || (step.withParam ?? "") !== "" ||
    step.withSequence !== undefined;
}

/** One expanded item: its node-name suffix and the variables it binds. */
export interface LoopItem {
  /** The expanded step/task name, `name(0:value)`. */
  name: string;
  /** `item`, `item.<key>` as Argo binds them. */
  vars: Record<string, string>;
}

function goType(value: unknown): string {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (value === null) return "null";
  return "object";
}

/**
 * The items of a loop (Argo's `expandStep`/`expandTask` before substitution). `whenFalse` tells
 * whether the step's `when` is known to be false, in which case a bad `withParam` is not an error.
 * Throws with Argo's messages.
 */
export function loopItems(step: Loopable, whenFalse: boolean): unknown[] {
  if ((step.withItems?.length ?? 0) > 0) return step.withItems ?? [];
  if ((step.withParam ?? "") !== "") {
    const text = step.withParam ?? "";
    let parsed: unknown;
    let error = "";
    try {
      parsed = JSON.parse(text);
      if (!Array.isArray(parsed)) {
        error = `json: cannot unmarshal ${goType(parsed)} into Go value of type []v1alpha1.Item`;
      }
    } catch (e) {
      error = (e as Error).message;
    }
    if (error !== "") {
      if (whenFalse) return [];
      throw new Error(`withParam value could not be parsed as a JSON list: ${text.trim()}: ${error}`);
    }
    return parsed as unknown[];
  }
  if (step.withSequence) {
    try {
      return expandSequence(step.withSequence);
    } catch (e) {
      if (whenFalse) return [];
      throw e;
    }
  }
  return [];
}

/**
 * What follows `<name>(` in the name {@link loopItem} gives item `index` (`index:label)`), without
 * its bindings (throws as it does), for the items of a loop that need no substitution.
 */
export function loopItemTail(index: number, item: unknown): string {
  if (item === null) {
    throw new Error(`withItems[${index}] expected string, number, list, or map. received: null`);
  }
  return itemNameTail(index, itemLabel(item));
}

/** Argo's `processItem` bindings and name for item `index`. */
export function loopItem(baseName: string, index: number, item: unknown): LoopItem {
  const vars: Record<string, string> = {};
  if (item !== null && typeof item === "object" && !Array.isArray(item)) {
    for (const [k, v] of Object.entries(item as Record<string, unknown>)) vars[`item.${k}`] = itemString(v);
    vars["item"] = sortedJson(item);
  } else if (Array.isArray(item)) {
    vars["item"] = JSON.stringify(item);
  } else if (item === null) {
    throw new Error(`withItems[${index}] expected string, number, list, or map. received: null`);
  } else {
    vars["item"] = itemString(item);
  }
  return { name: itemNodeName(baseName, index, itemLabel(item)), vars };
}

/** Substitutes one item's variables into a step/task (as JSON), `{{item...}}` must all resolve. */
export function substituteItem<T>(expr: Expr, value: T, vars: Record<string, string>): T {
  const json = JSON.stringify(value);
  if (!json.includes("{{")) return value;
  return withScope(expr, vars, (scope) => {
    const { text, errors } = scope.substitute(json, { json: true, strictPrefixes: ["item"] });
    if (errors.length > 0) throw new Error(errors[0]);
    const leftover = /\{\{\s*(item(?:\.[^}\s]*)?)\s*\}\}/.exec(text);
    if (leftover) throw new Error(`failed to resolve {{${leftover[1]}}}`);
    return JSON.parse(text) as T;
  });
}

function toInt(value: number | string | undefined, field: string): number {
  const text = String(value ?? "").trim();
  if (!/^[-+]?\d+$/.test(text)) {
    throw new Error(`strconv.Atoi: parsing "${text}": invalid syntax (withSequence.${field})`);
  }
  return Number.parseInt(text, 10);
}

/** Go's `fmt.Sprintf(format, i)` for the integer verbs withSequence formats use (%d, %02d, %x, %o, %b, %v). */
export function formatInt(format: string, n: number): string {
  return format.replace(
    /%([-+ 0#]*)(\d*)(?:\.(\d+))?([dvxXobsfeg%])/g,
    (_m, flags: string, width: string, prec, verb) => {
      if (verb === "%") return "%";
      let s: string;
      switch (verb) {
        case "x":
          s = Math.abs(n).toString(16);
          break;
        case "X":
          s = Math.abs(n).toString(16).toUpperCase();
          break;
        case "o":
          s = Math.abs(n).toString(8);
          break;
        case "b":
          s = Math.abs(n).toString(2);
          break;
        case "f":
          s = Math.abs(n).toFixed(prec === undefined ? 6 : Number(prec));
          break;
        default:
          s = String(Math.abs(n));
      }
      if (n < 0) s = `-${s}`;
      else if (flags.includes("+")) s = `+${s}`;
      const w = width === "" ? 0 : Number(width);
      if (s.length < w) {
        if (flags.includes("-")) s = s.padEnd(w, " ");
        else if (flags.includes("0")) {
          const sign = s.startsWith("-") || s.startsWith("+") ? s[0] : "";
          s = sign + s.slice(sign ? 1 : 0).padStart(w - (sign ? 1 : 0), "0");
        } else s = s.padStart(w, " ");
      }
      return s;
    },
  );
}

/** Argo's `expandSequence`: numbers from start to end (or `count` from start), formatted. */
export function expandSequence(seq: Sequence): string[] {
  const start = seq.start !== undefined ? toInt(seq.start, "start") : 0;
  let end: number;
  if (seq.end !== undefined) end = toInt(seq.end, "end");
  else if (seq.count !== undefined) {
    const count = toInt(seq.count, "count");
    if (count === 0) return [];
    end = start + count - 1;
  } else {
    throw new Error("neither end nor count was specified in withSequence");
  }
  const format = seq.format || "%d";
  const items: string[] = [];
  // "%d" (the default) prints an integer as String does; the expansion runs on every pass.
  const fmt = format === "%d" ? String : (i: number) => formatInt(format, i);
  if (start <= end) { for (let i = start; i <= end; i++) items.push(fmt(i)); }
  else for (let i = start; i >= end; i--) items.push(fmt(i));
  return items;
}
