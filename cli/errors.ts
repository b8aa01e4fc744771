/** A mistake in how a command was called: printed as `skiff: message` with exit code 2, no stack trace. */
export class CliError extends Error {
  override name = "CliError";
}
