// `when` evaluation exactly as Argo's shouldExecute: govaluate with VARIABLE tokens turned into
// strings; errors and non-boolean results use Argo's messages.

import { clearError, errorMessage, fail, failed } from "../err";
import { K_BOOL } from "../value";
import { evaluate, formatValue, plan, valueKind, valueTrue } from "./eval";
import { lexWhen, STRING, toks, VARIABLE } from "./lexer";

/** Result of one `when`: 0 false, 1 true, 2 error (message in `message`). */
export class WhenResult {
  status: i32 = 0;
  message: string = "";
}

/** Evaluates the already-substituted `when` expression in the `len` UTF-8 bytes at `ptr` into `r`. */
export function evalWhenBytes(ptr: usize, len: i32, r: WhenResult): void {
  r.status = 0;
  r.message = "";
  if (len == 0) {
    r.status = 1;
    return;
  }
  clearError();
  lexWhen(ptr, len);
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Invalid 'when' expression '" + String.UTF8.decodeUnsafe(ptr, len) + "': " + m;
    if (m.startsWith("Invalid token")) {
      r.message += ' (hint: try wrapping the affected expression in quotes ("))';
    }
    return;
  }
  for (let i = 0; i < toks.n; i++) {
    if (unchecked(toks.kind[i]) == VARIABLE) unchecked((toks.kind[i] = STRING)); // its text is the string
  }
  const root = plan();
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Invalid 'when' expression '" + String.UTF8.decodeUnsafe(ptr, len) + "': " + m;
    return;
  }
  const v = evaluate(root);
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Failed to evaluate 'when' expression '" + String.UTF8.decodeUnsafe(ptr, len) + "': " + m;
    return;
  }
  if (valueKind(v) != K_BOOL) {
    r.status = 2;
    r.message = "Expected boolean evaluation for '" + String.UTF8.decodeUnsafe(ptr, len) + "'. Got " +
      formatValue(v);
    return;
  }
  r.status = valueTrue(v) ? 1 : 0;
}

/** Evaluates an already-substituted `when` expression given as a string. */
export function evalWhen(when: string): WhenResult {
  const r = new WhenResult();
  const buf = String.UTF8.encode(when);
  evalWhenBytes(changetype<usize>(buf), buf.byteLength, r);
  return r;
}

export { fail };
