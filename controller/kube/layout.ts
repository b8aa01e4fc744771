/** Where things are in a workflow pod (see pods.ts): shared by the controller and the pod agent. */

/** The shared emptyDir of the pod's containers. */
export const VAR_RUN_ARGO = "/var/run/argo";
/** Where the executor image holds the executor's tree (deno, its libraries, executor.js, agent.js). */
export const IMAGE_EXECUTOR_DIR = "/skiff";
/** Where `init` puts the executor. */
export const EXECUTOR_DIR = `${VAR_RUN_ARGO}/skiff`;
/** Where the executor writes the step's result, read by `wait`. */
export const RESULT_FILE = `${VAR_RUN_ARGO}/result.json`;
/** Where a script's source is written in the main container (as Argo). */
export const SCRIPT_PATH = "/argo/staging/script";
/** Input artifacts are placed under here by `init` and mounted into `main` at their paths. */
export const INPUT_ARTIFACTS_DIR = "inputs/artifacts";

/**
 * The command that runs the executor from its tree at `dir`: its own loader starts its own deno. In
 * `main`, from the copy `init` made; in `init` (with `--fetch-inputs`), from the executor image.
 */
export function executorLaunch(dir = EXECUTOR_DIR): string[] {
  return [
    `${dir}/lib/ld.so`,
    "--library-path",
    `${dir}/lib`,
    `${dir}/bin/deno`,
    "run",
    "-A",
    "--no-config",
    "--no-lock",
    "--quiet",
    `${dir}/executor.js`,
  ];
}
