// Error state. AssemblyScript has no exceptions we can catch, so evaluators record the first
// error here and unwind by checking `failed()`.

let message: string | null = null;

/** Records `msg` as the current error unless one is already recorded. */
export function fail(msg: string): void {
  if (message === null) message = msg;
}

/** True once an error has been recorded. */
export function failed(): bool {
  return message !== null;
}

/** The recorded error message ("" if none). */
export function errorMessage(): string {
  const m = message;
  return m === null ? "" : m;
}

/** Forgets the recorded error. */
export function clearError(): void {
  message = null;
}
