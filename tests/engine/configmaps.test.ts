/**
 * Parameters from ConfigMaps (`valueFrom.configMapKeyRef`) with the ConfigMaps a host hands to
 * reconcile: global and input parameters, defaults when one is missing, Argo's messages otherwise.
 */
import { equal } from "node:assert/strict";
import { runWorkflow } from "./driver.ts";

const LABEL = { "workflows.argoproj.io/configmap-type": "Parameter" };

const WF = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: cm}
spec:
  entrypoint: main
  arguments:
    parameters:
    - name: greeting
      valueFrom: {configMapKeyRef: {name: settings, key: greeting}}
  templates:
  - name: main
    inputs:
      parameters:
      - name: color
        valueFrom: {configMapKeyRef: {name: "{{workflow.parameters.greeting}}-colors", key: favourite}, default: grey}
    container: {image: alpine, command: [echo, "{{workflow.parameters.greeting}} {{inputs.parameters.color}}"]}
`;

Deno.test("configmaps: global and input parameters read from the ConfigMaps the host gives", () => {
  const r = runWorkflow(WF, {
    configMaps: {
      settings: { labels: LABEL, data: { greeting: "hello" } },
      "hello-colors": { labels: LABEL, data: { favourite: "blue" } },
    },
  });
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  equal(r.started[0]?.main.command?.at(-1), "hello blue");
});

Deno.test("configmaps: a missing ConfigMap uses valueFrom.default; without one the workflow fails in Argo's words", () => {
  const r = runWorkflow(WF, { configMaps: { settings: { labels: LABEL, data: { greeting: "hi" } } } });
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  equal(r.started[0]?.main.command?.at(-1), "hi grey");

  const none = runWorkflow(WF, { resourceHint: "give it to skiff with --resources FILE" });
  equal(none.status.phase, "Failed");
  equal(
    none.status.message,
    "failed to set global parameters: failed to set global parameter greeting from configmap with name settings and key greeting: " +
      "ConfigMap 'settings' does not exist. Please make sure it has the label workflows.argoproj.io/configmap-type: Parameter " +
      "to be detectable by the controller (give it to skiff with --resources FILE)",
  );
});

Deno.test("configmaps: Argo's label is required; a missing key is named", () => {
  const unlabelled = runWorkflow(WF, { configMaps: { settings: { data: { greeting: "hello" } } } });
  equal(
    unlabelled.status.message,
    "failed to set global parameters: failed to set global parameter greeting from configmap with name settings and key greeting: " +
      "ConfigMap 'settings' needs to have the label workflows.argoproj.io/configmap-type: Parameter to load parameters",
  );
  const noKey = runWorkflow(WF.replace("default: grey", ""), {
    configMaps: {
      settings: { labels: LABEL, data: { greeting: "hello" } },
      "hello-colors": { labels: LABEL, data: {} },
    },
  });
  equal(noKey.status.phase, "Error");
  equal(
    noKey.status.message,
    "error in entry template execution: unable to retrieve inputs.parameters.color from ConfigMap: ConfigMap 'hello-colors' does not have the key 'favourite'",
  );
});
