/** `skiff version`: the CLI's version and the server's. */
import type { Command } from "commander";
import type { VersionResponse } from "../../web/service.ts";
import { type ConnectionFlags, withConnection } from "./api.ts";
import { clientAction, connect } from "./common.ts";

/** Adds `version`. */
export function addVersionCommand(program: Command): void {
  withConnection(program.command("version").description("print the version of skiff and of its server"))
    .option("--short", "only the version numbers")
    .action(clientAction(async (flags: ConnectionFlags & { short?: boolean }, cmd: Command) => {
      const client = `v${cmd.parent?.version() ?? ""}`;
      const runtime = `deno ${Deno.version.deno}`;
      const platform = `${Deno.build.os}/${Deno.build.arch}`;
      console.log(
        flags.short ? `skiff: ${client}` : `skiff: ${client}\n  Runtime: ${runtime}\n  Platform: ${platform}`,
      );
      const api = await connect(flags);
      const v = await api.call<VersionResponse>("GET", "/api/v1/version");
      console.log(
        flags.short
          ? `skiff-server: ${v.version}`
          : `skiff-server: ${v.version}\n  Server: ${api.server}\n  Runtime: ${v.goVersion}\n  Platform: ${v.platform}`,
      );
    }));
}
