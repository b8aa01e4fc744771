/**
 * The step executor: runs one step's command, captures its `result`, output parameters and
 * artifacts, exit code and log. `main.ts` is the command-line entry (used by the process runtime and
 * inside Pods); `superviseStep` + `OutputFiles` let a host drive a container from outside with the
 * same capture code. Before a Pod's step, `main.ts --fetch-inputs` (fetch_inputs.ts) installs the
 * executor in the pod and places the step's input artifacts, fetching them from S3 or over HTTP
 * (`fetchHttpArtifact`, which the local host uses too).
 */
export * from "./types.ts";
export {
  type CollectedOutputs,
  collectOutputs,
  errorText,
  type OutputFiles,
  TailBuffer,
  trimOneNewline,
} from "./capture.ts";
export { LineSplitter, pump, StepLog } from "./logs.ts";
export {
  DEADLINE_MESSAGE,
  type Ended,
  PROGRAM_NOT_FOUND_EXIT_CODE,
  ProgramNotFound,
  programNotFoundResult,
  StartError,
  startFailure,
  type StepChild,
  stepResult,
  type SuperviseOptions,
  superviseStep,
} from "./supervise.ts";
export { copyTree, localFiles, prepareArgv, spawnLocal } from "./local.ts";
export {
  AlreadyClaimed,
  claimPidFile,
  exitCodeOf,
  readDescription,
  runLocalStep,
  writeJsonAtomic,
} from "./main.ts";
export { fetchArtifact, storeOutputs, takeCredentials } from "./repository.ts";
export { fetchHttpArtifact, HttpArtifactError, httpHeaders } from "./http_artifact.ts";
export { fetchInputs, fetchInputsMain, readInputsDescription } from "./fetch_inputs.ts";
export { credentialsOf, PART_BYTES, S3Client, type S3Credentials, S3Error } from "./s3.ts";
export { packTgz, placeArtifact } from "./archive.ts";
