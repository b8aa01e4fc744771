/** What the client commands share: running an action, naming workflows, printing objects. */
import { stringify } from "yaml";
import type { Workflow } from "../../controller/spec/types.ts";
import { ServiceError } from "../../web/service.ts";
import { CliError } from "../errors.ts";
import { ApiClient, ApiError, type ConnectionFlags } from "./api.ts";

/**
 * Wraps a command's action: a server error or an unreachable server prints `skiff: message` and
 * exits 1 (as Argo's CLI does); a mistake in the call itself (CliError) exits 2.
 */
// deno-lint-ignore no-explicit-any
export function clientAction<A extends any[]>(
  fn: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (e instanceof ApiError) {
        console.error(`skiff: ${e.message}`);
        Deno.exitCode = 1;
        return;
      }
      // A request the CLI itself found malformed (e.g. -l without "="): a mistake in the call.
      if (e instanceof ServiceError) throw new CliError(e.message);
      throw e;
    }
  };
}

/** Connects with a command's flags. */
export function connect(flags: ConnectionFlags): Promise<ApiClient> {
  return ApiClient.connect(flags);
}

/** The newest workflow's name, for `@latest`. */
export async function latestWorkflow(client: ApiClient): Promise<string> {
  const list = await client.call<{ items: Workflow[] | null }>(
    "GET",
    client.path("/api/v1/workflows/{}", client.namespace) + "?listOptions.limit=1&fields=items.metadata.name",
  );
  const name = list.items?.[0]?.metadata.name;
  if (!name) throw new ApiError(404, 5, `@latest: there are no workflows in namespace ${client.namespace}`);
  return name;
}

/** A workflow name as the user wrote it: `@latest` becomes the newest workflow's name. */
export async function resolveName(client: ApiClient, name: string): Promise<string> {
  return name === "@latest" ? await latestWorkflow(client) : name;
}

/** Fetches a workflow. */
export function getWorkflow(client: ApiClient, name: string): Promise<Workflow> {
  return client.call<Workflow>("GET", client.path("/api/v1/workflows/{}/{}", client.namespace, name));
}

/** Checks `-o` against the formats a command knows. */
export function checkOutput(output: string | undefined, allowed: string[]): string {
  const o = output ?? "";
  if (!allowed.includes(o)) {
    throw new CliError(`unknown output format "${o}"; use one of: ${allowed.filter(Boolean).join(", ")}`);
  }
  return o;
}

/** An object as JSON or YAML. */
export function formatObject(obj: unknown, output: "json" | "yaml"): string {
  return output === "json" ? JSON.stringify(obj, null, 2) + "\n" : stringify(obj);
}

/** Should output be colored (a terminal, NO_COLOR unset)? */
export function useColor(): boolean {
  return Deno.stdout.isTerminal() && !Deno.env.get("NO_COLOR") && Deno.env.get("TERM") !== "dumb";
}

/** Collects a repeatable option (`-p a=1 -p b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
