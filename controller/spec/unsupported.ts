/**
 * What skiff does not do yet of Argo's spec, said the same way by lint (a warning where the
 * workflow says it) and by the engine (the message of a node that cannot run).
 */

/** Template types the engine does not run, with what to write instead. */
export const UNSUPPORTED_TEMPLATE_TYPES: Readonly<Record<string, string>> = {
  resource: "apply the manifest with kubectl in a container template",
  containerSet: "run its containers as steps, or beside one container as sidecars",
  data: "transform the artifact in a script template",
  http: "make the request with curl or wget in a container or script template",
  plugin: "executor plugins are not run by skiff",
};

/** Why a template of `type` cannot run, and what to do instead. */
export function unsupportedTemplateMessage(type: string): string {
  const instead = UNSUPPORTED_TEMPLATE_TYPES[type];
  return `${type} templates are not supported by skiff${instead ? `; ${instead}` : ""}`;
}

/** Fields skiff accepts and does not act on (of a template, or of the workflow spec), and what follows. */
export const IGNORED_FIELDS: Readonly<Record<string, string>> = {
  memoize: "skiff keeps no memoization cache: the step runs every time",
  synchronization: "skiff does not take its mutexes or semaphores: what it guards may run at the same time",
  metrics: "skiff does not emit custom Prometheus metrics",
};
