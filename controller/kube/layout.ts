/** Where things are in a workflow pod (see pods.ts): shared by the controller and the pod agent. */

/** The shared emptyDir of the pod's containers. */
export const VAR_RUN_ARGO = "/var/run/argo";
/** Where `init` puts the executor. */
export const EXECUTOR_DIR = `${VAR_RUN_ARGO}/skiff`;
/** Where the executor writes the step's result, read by `wait`. */
export const RESULT_FILE = `${VAR_RUN_ARGO}/result.json`;
/** Where a script's source is written in the main container (as Argo). */
export const SCRIPT_PATH = "/argo/staging/script";
/** Raw input artifacts are written under here by `init` and mounted into `main` at their paths. */
export const INPUT_ARTIFACTS_DIR = "inputs/artifacts";

/** The command of the main container: the copied loader starts the copied deno running the executor. */
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
