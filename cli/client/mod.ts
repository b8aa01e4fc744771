/**
 * The CLI's client commands: they speak skiff's (Argo Server's) REST API to a running
 * `skiff server`, found by `--server` / SKIFF_SERVER / ARGO_SERVER, with `--token` / SKIFF_TOKEN /
 * ARGO_TOKEN (or a local server's token file).
 *
 * @module
 */
import type { Command } from "commander";
import { addActionCommands } from "./actions.ts";
import { addLogsCommand } from "./logs.ts";
import { addSubmitCommand } from "./submit.ts";
import { addTemplateCommands } from "./templates.ts";
import { addVersionCommand } from "./version.ts";
import { addWatchCommands } from "./watch.ts";
import { addWorkflowCommands } from "./workflows.ts";

/** Adds every client command to the program. */
export function addClientCommands(program: Command): void {
  addSubmitCommand(program);
  addWorkflowCommands(program);
  addWatchCommands(program);
  addLogsCommand(program);
  addActionCommands(program);
  addTemplateCommands(program);
  addVersionCommand(program);
}
