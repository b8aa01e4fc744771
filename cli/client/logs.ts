/** `skiff logs`: a workflow's step logs, as `pod: line`, optionally followed until it ends. */
import type { Command } from "commander";
import { CliError } from "../errors.ts";
import { type ApiClient, type ConnectionFlags, withConnection } from "./api.ts";
import { clientAction, connect, getWorkflow, resolveName, useColor } from "./common.ts";

/** Options of {@link printLogs}. */
export interface LogsOptions {
  podName?: string;
  follow?: boolean;
  tailLines?: number;
  grep?: string;
  container?: string;
  sinceSeconds?: number;
}

const COLORS = [32, 33, 34, 35, 36, 37];

/** Argo's color of a pod's lines: the sum of its characters picks one. */
function colorOf(pod: string): number {
  let sum = 0;
  for (const ch of pod) sum += ch.codePointAt(0) ?? 0;
  return COLORS[sum % COLORS.length]!;
}

/** Streams a workflow's logs to stdout. */
export async function printLogs(client: ApiClient, name: string, opts: LogsOptions): Promise<void> {
  const q = new URLSearchParams();
  if (opts.podName) q.set("podName", opts.podName);
  if (opts.follow) q.set("logOptions.follow", "true");
  if (opts.tailLines !== undefined) q.set("logOptions.tailLines", String(opts.tailLines));
  if (opts.grep) q.set("grep", opts.grep);
  q.set("logOptions.container", opts.container ?? "main");
  if (opts.sinceSeconds !== undefined) q.set("logOptions.sinceSeconds", String(opts.sinceSeconds));
  const path = client.path("/api/v1/workflows/{}/{}/log", client.namespace, name) + "?" + q;
  const color = useColor();
  const encoder = new TextEncoder();
  for await (const entry of client.stream<{ podName: string; content: string }>(path)) {
    const line = `${entry.podName}: ${entry.content}`;
    Deno.stdout.writeSync(
      encoder.encode((color ? `\x1b[${colorOf(entry.podName)}m${line}\x1b[0m` : line) + "\n"),
    );
  }
}

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new CliError(`${flag} must be a whole number, not "${text}"`);
  return Number(text);
}

/** Adds `logs`. */
export function addLogsCommand(program: Command): void {
  withConnection(
    program.command("logs").description("print the logs of a workflow's steps").argument(
      "<name>",
      "workflow name (@latest for the newest)",
    ).argument("[pod]", "only this pod's logs"),
  )
    .option("-f, --follow", "keep printing until the workflow ends")
    .option("--tail <lines>", "only the last N lines of each pod")
    .option("--grep <regexp>", "only lines matching this regular expression")
    .option("-c, --container <name>", "the container", "main")
    .option("--since-seconds <n>", "only logs of steps that ran in the last N seconds")
    .action(clientAction(
      async (
        name: string,
        pod: string | undefined,
        flags: ConnectionFlags & {
          follow?: boolean;
          tail?: string;
          grep?: string;
          container?: string;
          sinceSeconds?: string;
        },
      ) => {
        if (flags.grep !== undefined) {
          try {
            new RegExp(flags.grep);
          } catch (e) {
            throw new CliError(`--grep: ${e instanceof Error ? e.message : e}`);
          }
        }
        const opts: LogsOptions = {};
        const tail = wholeNumber(flags.tail, "--tail");
        const since = wholeNumber(flags.sinceSeconds, "--since-seconds");
        if (pod) opts.podName = pod;
        if (flags.follow) opts.follow = true;
        if (tail !== undefined) opts.tailLines = tail;
        if (flags.grep) opts.grep = flags.grep;
        if (flags.container) opts.container = flags.container;
        if (since !== undefined) opts.sinceSeconds = since;
        const client = await connect(flags);
        const wfName = await resolveName(client, name);
        await getWorkflow(client, wfName);
        await printLogs(client, wfName, opts);
      },
    ));
}
