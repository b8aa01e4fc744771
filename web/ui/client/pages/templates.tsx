/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/** WorkflowTemplates and ClusterWorkflowTemplates: the list, and one template (YAML, submit, delete). */
import { useState } from "../../deps/preact.ts";
import { api } from "../api.ts";
import { formatAge } from "../format.ts";
import { notify, notifyError } from "../notices.tsx";
import { navigate, workflowHref } from "../router.ts";
import type { ObjectList, Template, Workflow } from "../types.ts";
import { ObjectListPage, ParameterForm, useObject, YamlView } from "./objects.tsx";

type Kind = "WorkflowTemplate" | "ClusterWorkflowTemplate";

function base(kind: Kind, ns: string): string {
  return kind === "WorkflowTemplate"
    ? `/api/v1/workflow-templates/${encodeURIComponent(ns)}`
    : "/api/v1/cluster-workflow-templates";
}

function pageOf(kind: Kind, ns: string, name: string): string {
  return kind === "WorkflowTemplate"
    ? `/workflow-templates/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`
    : `/cluster-workflow-templates/${encodeURIComponent(name)}`;
}

const TITLE: Record<Kind, string> = {
  WorkflowTemplate: "Workflow templates",
  ClusterWorkflowTemplate: "Cluster workflow templates",
};

/** The list of templates. */
export function TemplatesPage(props: { kind: Kind; namespace: string }) {
  const { kind, namespace } = props;
  const list = useObject<ObjectList<Template>>(base(kind, namespace));
  const items = list.value?.items ?? [];
  return (
    <ObjectListPage
      title={TITLE[kind]}
      note={kind === "WorkflowTemplate" ? `namespace ${namespace}` : undefined}
      kind={kind}
      columns={["Name", "Entrypoint", "Templates", "Created"]}
      error={list.error}
      empty={list.value !== undefined && items.length === 0}
    >
      {items.map((t) => (
        <tr key={t.metadata.name}>
          <td class="name">
            <a href={pageOf(kind, namespace, t.metadata.name ?? "")}>{t.metadata.name}</a>
          </td>
          <td>{t.spec.entrypoint ?? "-"}</td>
          <td>{(t.spec.templates ?? []).map((x) => x.name).join(", ")}</td>
          <td>{formatAge(t.metadata.creationTimestamp)}</td>
        </tr>
      ))}
    </ObjectListPage>
  );
}

/** One template. */
export function TemplatePage(props: { kind: Kind; namespace: string; name: string }) {
  const { kind, namespace, name } = props;
  const url = `${base(kind, namespace)}/${encodeURIComponent(name)}`;
  const t = useObject<Template>(url);
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    try {
      const params = t.value?.spec.arguments?.parameters ?? [];
      const parameters = params.map((p) => `${p.name}=${values[p.name] ?? p.value ?? p.default ?? ""}`);
      const wf = await api<Workflow>("POST", `/api/v1/workflows/${encodeURIComponent(namespace)}/submit`, {
        resourceKind: kind,
        resourceName: name,
        submitOptions: parameters.length > 0 ? { parameters } : {},
      });
      notify(`submitted ${wf.metadata.name}`);
      navigate(workflowHref(wf.metadata.namespace ?? namespace, wf.metadata.name ?? ""));
    } catch (e) {
      notifyError("submit", e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${kind} ${name}?`)) return;
    try {
      await api("DELETE", url);
      notify(`deleted ${name}`);
      navigate(kind === "WorkflowTemplate" ? "/workflow-templates" : "/cluster-workflow-templates");
    } catch (e) {
      notifyError("delete", e);
    }
  };
  return (
    <main class="page">
      <div class="page-head">
        <a
          class="muted"
          href={kind === "WorkflowTemplate" ? "/workflow-templates" : "/cluster-workflow-templates"}
        >
          {TITLE[kind]}
        </a>
        <span class="muted">/</span>
        <h1>{name}</h1>
        <div class="spacer" />
        {t.value && (
          <>
            <button type="button" class="primary" disabled={busy} onClick={submit}>Submit</button>
            <button type="button" class="danger" onClick={remove}>Delete</button>
          </>
        )}
      </div>
      {t.error && <p class="error" role="alert">{t.error}</p>}
      {t.value && (
        <>
          <ParameterForm
            params={t.value.spec.arguments?.parameters ?? []}
            values={values}
            onChange={setValues}
          />
          <YamlView value={t.value} />
        </>
      )}
    </main>
  );
}
