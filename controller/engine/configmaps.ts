/**
 * Parameters from ConfigMaps (`valueFrom.configMapKeyRef`): the host hands reconcile the ConfigMaps
 * of the workflow's namespace it knows (Argo's controller reads them from an informer); the engine
 * looks values up with Argo's rules and messages, including the label Argo requires.
 */

import type { Op } from "./context.ts";

/** A ConfigMap as a host hands it to reconcile. */
export interface ConfigMapData {
  labels?: Record<string, string>;
  data?: Record<string, string>;
}

/** The label Argo requires on ConfigMaps that parameters are read from. */
export const CONFIGMAP_TYPE_LABEL = "workflows.argoproj.io/configmap-type";

/** A ConfigMap or key that does not exist (a `valueFrom.default` is used instead). */
export class ConfigMapNotFound extends Error {
  override name = "ConfigMapNotFound";
}

/** Argo's `GetConfigMapValue`: the value of `key` in ConfigMap `name` of the workflow's namespace. */
export function configMapValue(op: Op, name: string, key: string): string {
  const cm = op.configMaps?.[name];
  if (cm === undefined) {
    const hint = op.resourceHint ? ` (${op.resourceHint})` : "";
    throw new ConfigMapNotFound(
      `ConfigMap '${name}' does not exist. Please make sure it has the label ${CONFIGMAP_TYPE_LABEL}: Parameter to be detectable by the controller${hint}`,
    );
  }
  if (cm.labels?.[CONFIGMAP_TYPE_LABEL] !== "Parameter") {
    throw new Error(
      `ConfigMap '${name}' needs to have the label ${CONFIGMAP_TYPE_LABEL}: Parameter to load parameters`,
    );
  }
  const value = cm.data?.[key];
  if (value === undefined) throw new ConfigMapNotFound(`ConfigMap '${name}' does not have the key '${key}'`);
  return value;
}
