// DAG `depends` (workflow/common/ancestry.go + controller/dag.go evaluateDependsLogic): task
// names are found with Argo's regex, bare names expand to
// (A.Succeeded || A.Skipped || A.Daemoned [|| A.Errored] [|| A.Failed]) per the task's continueOn,
// "-" becomes "_", and the result is evaluated by expr-lang over per-task result flags.

import { clearError, errorMessage, failed } from "./err";
import { evalExpression } from "./exprtag";
import { bool_, goFormat, K_BOOL, mapV, Value } from "./value";

/** What the engine knows about one finished dependency. */
export class TaskFacts {
  phase: string = "";
  isGroup: bool = false;
  daemoned: bool = false;
  continueOnError: bool = false;
  continueOnFailed: bool = false;
  children: Array<string> = new Array<string>();
}

const RESULTS = [
  "Succeeded",
  "Failed",
  "Errored",
  "Skipped",
  "Omitted",
  "Daemoned",
  "AnySucceeded",
  "AllFailed",
];

function isNameChar(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 45;
}

function isLetter(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** One regex match: either name.Result (result set) or a bare name. */
class Match {
  start: i32 = 0;
  end: i32 = 0;
  name: string = "";
  result: string = "";
}

/** Emulates taskNameRegex `([a-zA-Z0-9][-a-zA-Z0-9]*?\.[A-Z][a-zA-Z]+)|([a-zA-Z0-9][-a-zA-Z0-9]*)`. */
function scan(depends: string): Array<Match> {
  const out = new Array<Match>();
  let i = 0;
  const n = depends.length;
  while (i < n) {
    const c = depends.charCodeAt(i);
    if (!isNameChar(c) || c == 45) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && isNameChar(depends.charCodeAt(j))) j++;
    const m = new Match();
    m.start = i;
    m.name = depends.substring(i, j);
    if (j + 2 < n + 0 && depends.charCodeAt(j) == 46) {
      const c1 = depends.charCodeAt(j + 1);
      if (c1 >= 65 && c1 <= 90 && j + 2 < n && isLetter(depends.charCodeAt(j + 2))) {
        let k = j + 2;
        while (k < n && isLetter(depends.charCodeAt(k))) k++;
        m.result = depends.substring(j + 1, k);
        m.end = k;
        out.push(m);
        i = k;
        continue;
      }
    }
    m.end = j;
    out.push(m);
    i = j;
  }
  return out;
}

/** Task names a depends string mentions, in first-mention order. */
export function dependsNames(depends: string): Array<string> {
  const ms = scan(depends);
  const out = new Array<string>();
  for (let i = 0; i < ms.length; i++) if (!out.includes(ms[i].name)) out.push(ms[i].name);
  return out;
}

/** Result of one depends evaluation: 0 false, 1 true, 2 error. */
export class DependsResult {
  status: i32 = 0;
  message: string = "";
}

function err(r: DependsResult, msg: string): DependsResult {
  r.status = 2;
  r.message = msg;
  return r;
}

/** Evaluates `depends` given facts for every task it mentions. */
export function evalDepends(depends: string, tasks: Map<string, TaskFacts>): DependsResult {
  const r = new DependsResult();
  const ms = scan(depends);
  let logic = "";
  let last = 0;
  const env = new Map<string, Value>();
  for (let i = 0; i < ms.length; i++) {
    const m = ms[i];
    if (m.result.length > 0 && !RESULTS.includes(m.result)) {
      return err(r, "task result '" + m.result + "' for task '" + m.name + "' is invalid");
    }
    if (!tasks.has(m.name)) {
      return err(r, "depends '" + depends + "': task '" + m.name + "' has not completed (no result for it)");
    }
    const f = tasks.get(m.name);
    logic += depends.substring(last, m.start);
    if (m.result.length > 0) {
      logic += depends.substring(m.start, m.end);
    } else {
      let x = "(" + m.name + ".Succeeded || " + m.name + ".Skipped || " + m.name + ".Daemoned";
      if (f.continueOnError) x += " || " + m.name + ".Errored";
      if (f.continueOnFailed) x += " || " + m.name + ".Failed";
      logic += x + ")";
    }
    last = m.end;
    const key = m.name.replaceAll("-", "_");
    if (env.has(key)) continue;
    let any = false;
    let all = false;
    if (f.isGroup) {
      all = f.children.length > 0;
      for (let c = 0; c < f.children.length; c++) {
        any = any || f.children[c] == "Succeeded";
        all = all && f.children[c] == "Failed";
      }
    }
    const res = new Map<string, Value>();
    res.set("Succeeded", bool_(f.phase == "Succeeded"));
    res.set("Failed", bool_(f.phase == "Failed"));
    res.set("Errored", bool_(f.phase == "Error"));
    res.set("Skipped", bool_(f.phase == "Skipped"));
    res.set("Omitted", bool_(f.phase == "Omitted"));
    res.set("Daemoned", bool_(f.daemoned && f.phase != "Pending"));
    res.set("AnySucceeded", bool_(any));
    res.set("AllFailed", bool_(all));
    env.set(key, mapV(res));
  }
  logic += depends.substring(last);
  const evalLogic = logic.replaceAll("-", "_");
  const v = evalExpression(env, evalLogic);
  if (failed()) {
    const m = errorMessage();
    clearError();
    return err(r, "unable to evaluate expression '" + evalLogic + "': " + m);
  }
  if (v.kind != K_BOOL) {
    return err(
      r,
      "unable to evaluate expression '" + evalLogic + "': unable to cast expression result '" + goFormat(v) +
        "' to bool",
    );
  }
  r.status = v.b ? 1 : 0;
  return r;
}
