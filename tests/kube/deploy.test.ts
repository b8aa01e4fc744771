// deno-lint-ignore-file no-explicit-any -- manifests read as plain YAML
/** deploy/: every manifest parses and says what the install needs (no cluster needed; see cluster.test.ts for applying them). */
import { deepEqual, equal, ok } from "node:assert/strict";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../controller/kube/config.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url).pathname;

type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [k: string]: unknown;
};

function docs(path: string): Obj[] {
  const text = Deno.readTextFileSync(path);
  const all = parseAllDocuments(text);
  for (const d of all) if (d.errors.length > 0) throw new Error(`${path}: ${d.errors[0]!.message}`);
  return all.map((d) => d.toJS()).filter((o) => o !== null) as Obj[];
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...yamlFiles(`${dir}${e.name}/`));
    else if (e.name.endsWith(".yaml")) out.push(`${dir}${e.name}`);
  }
  return out.sort();
}

Deno.test("deploy: every manifest parses and names apiVersion, kind and metadata.name", () => {
  const files = yamlFiles(DEPLOY);
  ok(files.length >= 10, `only ${files.length} files`);
  for (const f of files) {
    for (const o of docs(f)) {
      ok(o.apiVersion, `${f}: apiVersion`);
      ok(o.kind, `${f}: kind`);
      if (o.kind !== "Kustomization") ok(o.metadata?.name, `${f}: metadata.name of a ${o.kind}`);
    }
  }
});

function crd(plural: string): Obj & { spec: any } {
  return docs(`${DEPLOY}crds/${plural}.yaml`)[0] as Obj & { spec: any };
}

Deno.test("deploy: the six CRDs of argoproj.io/v1alpha1 with Argo's short names", () => {
  const want: [string, string, string[], string][] = [
    ["workflows", "Workflow", ["wf"], "Namespaced"],
    ["workflowtemplates", "WorkflowTemplate", ["wftmpl"], "Namespaced"],
    ["clusterworkflowtemplates", "ClusterWorkflowTemplate", ["clusterwftmpl", "cwftmpl"], "Cluster"],
    ["cronworkflows", "CronWorkflow", ["cwf", "cronwf"], "Namespaced"],
    ["workfloweventbindings", "WorkflowEventBinding", ["wfeb"], "Namespaced"],
    ["workflowtaskresults", "WorkflowTaskResult", [], "Namespaced"],
  ];
  for (const [plural, kind, shortNames, scope] of want) {
    const c = crd(plural);
    equal(c.kind, "CustomResourceDefinition");
    equal(c.metadata.name, `${plural}.argoproj.io`);
    equal(c.spec.group, "argoproj.io");
    equal(c.spec.names.kind, kind);
    equal(c.spec.scope, scope);
    deepEqual(c.spec.names.shortNames ?? [], shortNames, plural);
    const v = c.spec.versions[0];
    equal(v.name, "v1alpha1");
    ok(v.served && v.storage);
    const props = v.schema.openAPIV3Schema.properties;
    // Argo's minimal CRDs: spec/status (outputs of task results) kept whole
    for (const field of ["spec", "status", "outputs"]) {
      if (props[field]) {
        equal(props[field]["x-kubernetes-preserve-unknown-fields"], true, `${plural}.${field}`);
      }
    }
  }
});

Deno.test("deploy: kubectl get wf shows STATUS and AGE (and MESSAGE) like Argo; status is a subresource", () => {
  const v = crd("workflows").spec.versions[0];
  deepEqual(v.subresources, { status: {} });
  deepEqual(
    v.additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => [c.name, c.jsonPath]),
    [["Status", ".status.phase"], ["Age", ".status.startedAt"], ["Message", ".status.message"]],
  );
});

Deno.test("deploy: the workflow pods' role may only report results and read its pod", () => {
  const role = docs(`${DEPLOY}rbac-workflow.yaml`).find((o) => o.kind === "ClusterRole")!;
  deepEqual(role.rules, [
    { apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
  ]);
  const ctl = docs(`${DEPLOY}rbac-controller.yaml`).find((o) => o.kind === "ClusterRole") as Obj & {
    rules: any[];
  };
  const verbs = (res: string) => ctl.rules.filter((r) => r.resources.includes(res)).flatMap((r) => r.verbs);
  ok(verbs("workflows/status").includes("update"));
  ok(!verbs("workflowtaskresults").includes("create"), "the controller does not write task results");
  ok(!ctl.rules.some((r) => r.resources.includes("secrets")), "no secrets");
});

Deno.test("deploy: the controller Deployment serves the API on 2746 and metrics on 9090, with probes", () => {
  const d = docs(`${DEPLOY}controller.yaml`)[0] as any;
  const c = d.spec.template.spec.containers[0];
  deepEqual(c.ports.map((p: { containerPort: number }) => p.containerPort), [2746, 9090]);
  equal(c.readinessProbe.httpGet.path, "/readyz");
  equal(c.livenessProbe.httpGet.path, "/healthz");
  equal(c.args[0], "controller");
  equal(d.spec.template.spec.serviceAccountName, "skiff-controller");
  const services = docs(`${DEPLOY}services.yaml`) as any[];
  deepEqual(services.map((s) => s.spec.ports[0].port), [2746, 9090]);
});

Deno.test("deploy: the ConfigMap is a configuration the controller reads", () => {
  const cm = docs(`${DEPLOY}config.yaml`)[0] as any;
  const cfg = parseConfig(cm.data);
  equal(cfg.parallelism, 0);
  equal(cfg.executor.image, "skiff/executor:v0.1.0");
  deepEqual(cfg.images["docker/whalesay"], { entrypoint: ["cowsay"] });
  equal(cfg.workflowDefaults?.spec?.serviceAccountName, "skiff-workflow");
  equal(cfg.nodeStatusCompressBytes, 262144);
});

/** Objects compared as kubectl sees them: key order does not matter. */
function canonical(o: unknown): unknown {
  if (Array.isArray(o)) return o.map(canonical);
  if (o && typeof o === "object") {
    return Object.fromEntries(
      Object.keys(o).sort().map((k) => [k, canonical((o as Record<string, unknown>)[k])]),
    );
  }
  return o;
}

Deno.test("deploy: install.yaml holds exactly what kustomization.yaml installs", () => {
  const k = docs(`${DEPLOY}kustomization.yaml`)[0] as unknown as { resources: string[] };
  const fromKustomize = k.resources.flatMap((r) => docs(`${DEPLOY}${r}`));
  const install = docs(`${DEPLOY}install.yaml`);
  const key = (o: Obj) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  deepEqual(install.map(key).sort(), fromKustomize.map(key).sort());
  const byKey = new Map(install.map((o) => [key(o), o]));
  for (const o of fromKustomize) {
    deepEqual(
      canonical(byKey.get(key(o))),
      canonical(o),
      `${key(o)} differs: regenerate deploy/install.yaml`,
    );
  }
});

Deno.test("deploy: Dockerfiles build the controller (deno compile) and a minimal executor image", () => {
  const ctl = Deno.readTextFileSync(`${DEPLOY}Dockerfile.controller`);
  ok(ctl.includes("deno task compile"));
  ok(/ENTRYPOINT \["\/usr\/local\/bin\/skiff"\]/.test(ctl));
  const exec = Deno.readTextFileSync(`${DEPLOY}Dockerfile.executor`);
  ok(exec.includes("FROM scratch"));
  ok(exec.includes("deploy/executor-rootfs.sh"));
});
