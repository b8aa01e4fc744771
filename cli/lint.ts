/** `skiff lint FILE|DIR...`: report every problem of workflow files at once, as file:line:col. */
import type { Command } from "commander";
import { formatProblem } from "../controller/spec/problem.ts";
import { lintPaths } from "../controller/spec/lint/mod.ts";
import { CliError } from "./errors.ts";

interface LintFlags {
  output: string;
  strict: boolean;
  target: string;
}

/** Adds the `lint` command; its action sets the exit code (1 when any error was found). */
export function addLintCommand(program: Command): void {
  program
    .command("lint")
    .description("check workflow files (YAML or JSON, files or directories) and report every problem")
    .argument("<paths...>", "files or directories to lint")
    .option("-o, --output <format>", "output format: text or json", "text")
    .option("--strict", "treat unknown fields as errors instead of warnings", false)
    .option("--target <where>", "where the workflows will run: local or kubernetes", "local")
    .action(async (paths: string[], flags: LintFlags) => {
      if (flags.output !== "text" && flags.output !== "json") {
        throw new CliError(`unknown output format "${flags.output}"; use -o text or -o json`);
      }
      if (flags.target !== "local" && flags.target !== "kubernetes") {
        throw new CliError(`unknown target "${flags.target}"; use --target local or --target kubernetes`);
      }
      const problems = await lintPaths(paths, { strict: flags.strict, target: flags.target });
      const errors = problems.filter((p) => p.severity === "error").length;
      if (flags.output === "json") {
        console.log(JSON.stringify(problems, null, 2));
      } else {
        for (const p of problems) console.log(formatProblem(p));
        const warnings = problems.length - errors;
        console.error(
          problems.length === 0
            ? `no problems found in ${paths.join(" ")}`
            : `${errors} error(s), ${warnings} warning(s)`,
        );
      }
      if (errors > 0) Deno.exitCode = 1;
    });
}
