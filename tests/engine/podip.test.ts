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

Deno.test("pod IP: {{tasks.X.ip}} of a daemon task in a DAG; a pod that is no daemon records none, as in Argo", () => {
  const r = runWorkflow(
    `
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: dagip}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - {name: server, template: server}
      - name: client
        depends: server
        template: echo
        arguments: {parameters: [{name: msg, value: "{{tasks.server.ip}}"}]}
  - name: server
    daemon: true
    container: {image: node, command: [node, server.js]}
  - name: echo
    inputs: {parameters: [{name: msg, default: none}]}
    container: {image: alpine, command: [echo, "{{inputs.parameters.msg}}"]}
`,
    { scripts: { server: { daemon: true } } },
  );
  equal(r.status.phase, "Succeeded", r.status.message ?? "");
  const started = (name: string) => r.started.find((s) => s.templateName === name)!;
  equal(started("echo").main.command?.at(-1), podIPOf(started("server")));
  const node = (name: string) => Object.values(r.status.nodes ?? {}).find((n) => n.displayName === name)!;
  equal(node("server").podIP, podIPOf(started("server")));
  ok(podIPOf(started("echo")), "the host reported the client's IP too");
  equal(node("client").podIP, undefined);
});
