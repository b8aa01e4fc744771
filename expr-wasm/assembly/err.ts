// Error state. AssemblyScript has no exceptions we can catch, so evaluators record the first
// error here and unwind by checking `failed()` (a plain flag: it is checked on hot paths, and
// `!==` on strings would call String.__ne).

let message: string = "";
let hasError: bool = false;

/** Records `msg` as the current error unless one is already recorded. */
export function fail(msg: string): void {
  if (!hasError) {
    hasError = true;
    message = msg;
  }
}

/** True once an error has been recorded. */
export function failed(): bool {
  return hasError;
}

/** The recorded error message ("" if none). */
export function errorMessage(): string {
  return hasError ? message : "";
}

/** Forgets the recorded error. */
export function clearError(): void {
  hasError = false;
  message = "";
}
