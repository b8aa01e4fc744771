/**
 * The labels and annotations Argo puts on workflows, pods and task results, so that tools that know
 * Argo (and `kubectl get pods -l workflows.argoproj.io/workflow=...`) find skiff's the same way.
 */

/** On pods and task results: the workflow they belong to. */
export const LABEL_WORKFLOW = "workflows.argoproj.io/workflow";
/** On workflows and pods: "true" once it is done (the controller stops watching completed pods). */
export const LABEL_COMPLETED = "workflows.argoproj.io/completed";
/** On workflows: their phase. */
export const LABEL_PHASE = "workflows.argoproj.io/phase";
/** On workflows (and their pods): which controller instance runs them (`instanceID`). */
export const LABEL_INSTANCE_ID = "workflows.argoproj.io/controller-instanceid";
/** On task results: "true" once the pod has reported all its outputs. */
export const LABEL_REPORT_COMPLETED = "workflows.argoproj.io/report-outputs-completed";
/** On pods: the id of the node the pod runs. */
export const ANNOTATION_NODE_ID = "workflows.argoproj.io/node-id";
/** On pods: the node's name (`wf[0].step`). */
export const ANNOTATION_NODE_NAME = "workflows.argoproj.io/node-name";
/** On pods: the container `kubectl logs` shows without `-c`. */
export const ANNOTATION_DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";
/** On pods of daemon steps (`daemon: true`): their readiness means the daemon is up. */
export const ANNOTATION_DAEMON = "skiff.dev/daemon";
/** On workflows created from a workflow template. */
export const LABEL_WORKFLOW_TEMPLATE = "workflows.argoproj.io/workflow-template";
export const LABEL_CLUSTER_WORKFLOW_TEMPLATE = "workflows.argoproj.io/cluster-workflow-template";
export const LABEL_CRON_WORKFLOW = "workflows.argoproj.io/cron-workflow";

/** The label selector of objects of one controller instance (`instanceID` "" : objects without the label). */
export function instanceSelector(instanceID: string): string {
  return instanceID ? `${LABEL_INSTANCE_ID}=${instanceID}` : `!${LABEL_INSTANCE_ID}`;
}

/** The index of pods and task results by `namespace/workflow`. */
export const BY_WORKFLOW = "workflow";

/** `namespace/workflow` of an object labelled with its workflow. */
export function workflowKeyOf(
  o: { metadata: { namespace?: string; labels?: Record<string, string> } },
): string[] {
  const wf = o.metadata.labels?.[LABEL_WORKFLOW];
  return wf ? [`${o.metadata.namespace}/${wf}`] : [];
}
