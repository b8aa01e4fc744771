/** The pod IP a host reports: node `podIP`, and `{{steps.X.ip}}` / `{{tasks.X.ip}}` for later steps. */
import { equal, ok } from "node:assert/strict";
import { podIPOf, runWorkflow } from "./driver.ts";

const DAEMON = `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: daemon}
spec:
  entrypoint: main
  templates:
  - name: main
    steps:
    - - {name: server, template: server}
    - - name: client
        template: client
        arguments: {parameters: [{name: url, value: "http://{{steps.server.ip}}:8080/"}]}
  - name: server
    daemon: true
    container: {image: node, command: [node, server.js]}
  - name: client
    inputs: {parameters: [{name: url}]}
    container: {image: busybox, command: [wget, -q, -O, "-", "{{inputs.parameters.url}}"]}
`;

Deno.test("pod IP: a daemon's IP is its node's podIP and reaches the next step as {{steps.server.ip}}", () => {
  const r = runWorkflow(DAEMON, { scripts: { server: { daemon: true } } });
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const server = Object.values(r.status.nodes ?? {}).find((n) => n.displayName === "server");
  ok(server);
  const ip = podIPOf(r.started.find((s) => s.templateName === "server")!);
  equal(server.podIP, ip);
  equal(server.phase, "Succeeded");
  const client = r.started.find((s) => s.templateName === "client");
  equal(client?.main.command?.at(-1), `http://${ip}:8080/`);
});

Deno.test("pod IP: {{tasks.X.ip}} in a DAG, and every pod node records its IP", () => {
  const r = runWorkflow(`
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagip}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: a, template: echo}
      - name: b
        depends: a
        template: echo
        arguments: {parameters: [{name: msg, value: "{{tasks.a.ip}}"}]}
  - name: echo
    inputs: {parameters: [{name: msg, default: none}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.msg}}"]}
`);
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const [a, b] = r.started;
  equal(b?.main.command?.at(-1), podIPOf(a!));
  for (const n of Object.values(r.status.nodes ?? {}).filter((n) => n.type === "Pod")) {
    ok(n.podIP?.startsWith("10.88."), `${n.displayName}: ${n.podIP}`);
  }
});
