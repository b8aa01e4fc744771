/** The skiff command line: one program, one subcommand per job. */
import { Command, CommanderError } from "commander";
import { addLintCommand } from "./lint.ts";
import { addRunCommand } from "./run.ts";
import { addServerCommand } from "./server.ts";
import { addControllerCommand } from "./controller.ts";
import { addClientCommands } from "./client/mod.ts";
import { addCompletionCommand } from "./completion.ts";
import { CliError } from "./errors.ts";

/** skiff's version, shown by `skiff --version`. */
export const VERSION = "0.1.0";

/** Builds the command tree. */
export function buildProgram(): Command {
  const program = new Command()
    .name("skiff")
    .description("skiff: a lightweight, Argo-compatible workflow engine")
    .version(VERSION)
    .showHelpAfterError("(run skiff --help for usage)")
    .exitOverride();
  addLintCommand(program);
  addRunCommand(program);
  addServerCommand(program);
  addControllerCommand(program);
  addClientCommands(program);
  addCompletionCommand(program);
  return program;
}

/** Runs the CLI with `args`, returning the exit code instead of exiting. */
export async function runCli(args: string[]): Promise<number> {
  Deno.exitCode = 0;
  try {
    await buildProgram().parseAsync(args, { from: "user" });
    return Deno.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end with exit code 0; usage errors were already printed by commander.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      console.error(`skiff: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
