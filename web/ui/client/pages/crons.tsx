/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/** CronWorkflows: the list, and one (YAML, suspend/resume, submit now, delete). */
import { useState } from "../../deps/preact.ts";
import { api } from "../api.ts";
import { formatAge } from "../format.ts";
import { notify, notifyError } from "../notices.tsx";
import { navigate, workflowHref } from "../router.ts";
import type { CronWorkflow, ObjectList, Workflow } from "../types.ts";
import { ObjectListPage, useObject, YamlView } from "./objects.tsx";

/**
 * The schedules the cron runs on, as Argo reads them: a non-empty `schedule` wins over
 * `schedules` (the server also copies `schedule` into `schedules`, so both are usually there).
 */
function schedules(c: CronWorkflow): string {
  return (c.spec.schedule ? [c.spec.schedule] : c.spec.schedules ?? []).join(", ") || "-";
}

/** The list of cron workflows. */
export function CronsPage(props: { namespace: string }) {
  const ns = props.namespace;
  const list = useObject<ObjectList<CronWorkflow>>(`/api/v1/cron-workflows/${encodeURIComponent(ns)}`);
  const items = list.value?.items ?? [];
  return (
    <ObjectListPage
      title="Cron workflows"
      note={`namespace ${ns}`}
      kind="CronWorkflow"
      columns={["Name", "Schedule", "Timezone", "State", "Last run", "Created"]}
      error={list.error}
      empty={list.value !== undefined && items.length === 0}
    >
      {items.map((c) => (
        <tr key={c.metadata.name}>
          <td class="name">
            <a
              href={`/cron-workflows/${encodeURIComponent(ns)}/${encodeURIComponent(c.metadata.name ?? "")}`}
            >
              {c.metadata.name}
            </a>
          </td>
          <td>
            <code>{schedules(c)}</code>
          </td>
          <td>{c.spec.timezone ?? "-"}</td>
          <td>{c.spec.suspend ? <span class="badge suspended">suspended</span> : "active"}</td>
          <td>{formatAge(c.status?.lastScheduledTime)}</td>
          <td>{formatAge(c.metadata.creationTimestamp)}</td>
        </tr>
      ))}
    </ObjectListPage>
  );
}

/** One cron workflow. */
export function CronPage(props: { namespace: string; name: string }) {
  const { namespace, name } = props;
  const url = `/api/v1/cron-workflows/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  const [epoch, setEpoch] = useState(0);
  const c = useObject<CronWorkflow>(url, epoch);
  const act = async (verb: "suspend" | "resume") => {
    try {
      await api("PUT", `${url}/${verb}`, {});
      notify(`${verb}: done`);
      setEpoch(epoch + 1);
    } catch (e) {
      notifyError(verb, e);
    }
  };
  const submit = async () => {
    try {
      const wf = await api<Workflow>("POST", `/api/v1/workflows/${encodeURIComponent(namespace)}/submit`, {
        resourceKind: "CronWorkflow",
        resourceName: name,
      });
      navigate(workflowHref(namespace, wf.metadata.name ?? ""));
    } catch (e) {
      notifyError("submit", e);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete CronWorkflow ${name}?`)) return;
    try {
      await api("DELETE", url);
      navigate("/cron-workflows");
    } catch (e) {
      notifyError("delete", e);
    }
  };
  const cron = c.value;
  return (
    <main class="page">
      <div class="page-head">
        <a class="muted" href="/cron-workflows">Cron workflows</a>
        <span class="muted">/</span>
        <h1>{name}</h1>
        {cron?.spec.suspend && <span class="badge suspended">suspended</span>}
        <div class="spacer" />
        {cron && (
          <>
            <button type="button" class="primary" onClick={submit}>Submit now</button>
            {cron.spec.suspend
              ? <button type="button" onClick={() => act("resume")}>Resume</button>
              : <button type="button" onClick={() => act("suspend")}>Suspend</button>}
            <button type="button" class="danger" onClick={remove}>Delete</button>
          </>
        )}
      </div>
      {c.error && <p class="error" role="alert">{c.error}</p>}
      {cron && (
        <>
          <div class="summary">
            <span>
              <span class="muted">schedule</span> <code>{schedules(cron)}</code>
            </span>
            <span>
              <span class="muted">concurrency</span> {cron.spec.concurrencyPolicy ?? "Allow"}
            </span>
            <span>
              <span class="muted">last run</span> {formatAge(cron.status?.lastScheduledTime)}
            </span>
          </div>
          <YamlView value={cron} />
        </>
      )}
    </main>
  );
}
