/** @jsxImportSource npm:preact@11.2.0 */
/// <reference lib="dom" />
/**
 * The web UI's entry: the shell (navigation, namespace, token prompt, notices) and the router
 * that picks the page.
 *
 * @module
 */
import { render } from "../deps/preact.ts";
import { useEffect, useState } from "../deps/preact.ts";
import { api, ApiError, hasToken, onUnauthorized, setToken } from "./api.ts";
import { Notices } from "./notices.tsx";
import { CronPage, CronsPage } from "./pages/crons.tsx";
import { SubmitPage } from "./pages/submit.tsx";
import { TemplatePage, TemplatesPage } from "./pages/templates.tsx";
import { WorkflowPage } from "./pages/workflow.tsx";
import { WorkflowsPage } from "./pages/workflows.tsx";
import {
  currentNamespace,
  installLinkHandler,
  navigate,
  onNavigate,
  parseRoute,
  type Route,
  setNamespace,
} from "./router.ts";

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.search));
  useEffect(() => onNavigate(() => setRoute(parseRoute(location.pathname, location.search))), []);
  return route;
}

function TokenPrompt(props: { onDone: () => void }) {
  const [token, setTokenText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setToken(token);
    try {
      await api("GET", "/api/v1/userinfo");
      props.onDone();
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? "That token is not valid here." : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login">
      <form class="card" onSubmit={submit} aria-label="sign in">
        <h1>skiff</h1>
        <p>
          This server needs its API token. <code>skiff server</code>{" "}
          printed it at its first start and keeps it in <code>&lt;data dir&gt;/token</code>.
        </p>
        <label>
          Token
          <input
            id="token"
            type="password"
            autocomplete="current-password"
            value={token}
            onInput={(e) => setTokenText((e.target as HTMLInputElement).value)}
            autofocus
          />
        </label>
        {error && <p class="error">{error}</p>}
        <button type="submit" class="primary" disabled={busy || token.trim() === ""}>Sign in</button>
      </form>
    </div>
  );
}

function NamespaceBox(props: { route: Route }) {
  const routeNs = "namespace" in props.route ? props.route.namespace : currentNamespace();
  const [value, setValue] = useState(routeNs);
  useEffect(() => setValue(routeNs), [routeNs]);
  const apply = (e: Event) => {
    e.preventDefault();
    const ns = value.trim() || "default";
    setNamespace(ns);
    if (props.route.page === "workflows") navigate(`/workflows/${encodeURIComponent(ns)}`);
    else navigate(location.pathname + location.search, true);
  };
  return (
    <form class="namespace" onSubmit={apply}>
      <label title="namespace">
        ns
        <input
          aria-label="namespace"
          value={value}
          size={10}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          onBlur={apply}
        />
      </label>
    </form>
  );
}

function Nav(props: { route: Route; signedIn: boolean; onSignOut: () => void }) {
  const p = props.route.page;
  const item = (href: string, label: string, active: boolean) => (
    <a href={href} class={active ? "active" : ""}>
      {label}
    </a>
  );
  return (
    <header class="top">
      <a href="/" class="brand">skiff</a>
      <nav>
        {item(
          `/workflows/${encodeURIComponent(currentNamespace())}`,
          "Workflows",
          p === "workflows" || p === "workflow",
        )}
        {item("/submit", "Submit", p === "submit")}
        {item("/workflow-templates", "Templates", p === "templates" || p === "template")}
        {item(
          "/cluster-workflow-templates",
          "Cluster templates",
          p === "cluster-templates" || p === "cluster-template",
        )}
        {item("/cron-workflows", "Cron workflows", p === "crons" || p === "cron")}
      </nav>
      <div class="spacer" />
      <NamespaceBox route={props.route} />
      {props.signedIn && <button type="button" class="link" onClick={props.onSignOut}>Sign out</button>}
    </header>
  );
}

function Page(props: { route: Route }) {
  const r = props.route;
  switch (r.page) {
    case "workflows":
      return <WorkflowsPage namespace={r.namespace} />;
    case "workflow":
      return <WorkflowPage namespace={r.namespace} name={r.name} node={r.node} />;
    case "submit":
      return <SubmitPage namespace={currentNamespace()} />;
    case "templates":
      return <TemplatesPage kind="WorkflowTemplate" namespace={currentNamespace()} />;
    case "template":
      return <TemplatePage kind="WorkflowTemplate" namespace={r.namespace} name={r.name} />;
    case "cluster-templates":
      return <TemplatesPage kind="ClusterWorkflowTemplate" namespace={currentNamespace()} />;
    case "cluster-template":
      return <TemplatePage kind="ClusterWorkflowTemplate" namespace={currentNamespace()} name={r.name} />;
    case "crons":
      return <CronsPage namespace={currentNamespace()} />;
    case "cron":
      return <CronPage namespace={r.namespace} name={r.name} />;
    default:
      return (
        <main class="page">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{r.path}</code>. <a href="/">Workflows</a>
          </p>
        </main>
      );
  }
}

function App() {
  const route = useRoute();
  const [needToken, setNeedToken] = useState(false);
  const [epoch, setEpoch] = useState(0);
  useEffect(() => onUnauthorized(() => setNeedToken(true)), []);
  useEffect(() => {
    if ("namespace" in route && route.page === "workflows") setNamespace(route.namespace);
  }, [route]);
  if (needToken) {
    return (
      <TokenPrompt
        onDone={() => {
          setNeedToken(false);
          setEpoch(epoch + 1);
        }}
      />
    );
  }
  const signOut = () => {
    setToken("");
    setNeedToken(true);
  };
  return (
    <div class="shell">
      <Nav route={route} signedIn={hasToken()} onSignOut={signOut} />
      <Page key={`${epoch}:${location.pathname}`} route={route} />
      <Notices />
    </div>
  );
}

installLinkHandler();
render(<App />, document.getElementById("app")!);
