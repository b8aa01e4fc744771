// `when` evaluation exactly as Argo's shouldExecute: govaluate with VARIABLE tokens turned into
// strings; errors and non-boolean results use Argo's messages.

import { clearError, errorMessage, fail, failed } from "../err";
import { goFormat, K_BOOL } from "../value";
import { evalStage, plan } from "./eval";
import { lexWhen, STRING, VARIABLE } from "./lexer";

/** Result of one `when`: 0 false, 1 true, 2 error (message in `message`). */
export class WhenResult {
  status: i32 = 0;
  message: string = "";
}

/** Evaluates an already-substituted `when` expression. */
export function evalWhen(when: string): WhenResult {
  const r = new WhenResult();
  if (when.length == 0) {
    r.status = 1;
    return r;
  }
  clearError();
  const toks = lexWhen(when);
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Invalid 'when' expression '" + when + "': " + m;
    if (m.startsWith("Invalid token")) {
      r.message += ' (hint: try wrapping the affected expression in quotes ("))';
    }
    return r;
  }
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind == VARIABLE) t.kind = STRING; // its value is already the string
  }
  const stage = plan(toks);
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Invalid 'when' expression '" + when + "': " + m;
    return r;
  }
  const v = evalStage(stage);
  if (failed()) {
    const m = errorMessage();
    clearError();
    r.status = 2;
    r.message = "Failed to evaluate 'when' expression '" + when + "': " + m;
    return r;
  }
  if (v.kind != K_BOOL) {
    r.status = 2;
    r.message = "Expected boolean evaluation for '" + when + "'. Got " + goFormat(v);
    return r;
  }
  r.status = v.b ? 1 : 0;
  return r;
}

export { fail };
