/**
 * Secrets and ConfigMaps for a local run. On Kubernetes a step reads them from the cluster
 * (`env.valueFrom.secretKeyRef`, `configMapKeyRef`, `envFrom`, `secret`/`configMap` volumes, and
 * parameters with `valueFrom.configMapKeyRef`). Here the user supplies the same Kubernetes
 * manifests (`kind: Secret` with base64 `data` and/or plain `stringData`; `kind: ConfigMap` with
 * `data`/`binaryData`; `kind: List` of them), either as more documents of the workflow's file or in
 * files of their own, and `LocalResources` holds them for the runtimes and the host.
 *
 * A manifest without `metadata.namespace` serves workflows of every namespace; one with a namespace
 * serves only that namespace (and wins there over one without).
 */
import { loadText } from "../../spec/load.ts";
import { isRecord } from "../../spec/lint/util.ts";
import type { ConfigMapData } from "../../engine/configmaps.ts";

/** A Secret as a step sees it: key -> bytes. */
export interface LocalSecret {
  name: string;
  namespace?: string;
  data: Record<string, Uint8Array>;
  /** Where it was read from (`file:line`). */
  source: string;
}

/** A ConfigMap: text data, binary data, and its labels (Argo reads parameters only from labelled ones). */
export interface LocalConfigMap {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  data: Record<string, string>;
  binaryData: Record<string, Uint8Array>;
  source: string;
}

/** A malformed Secret or ConfigMap manifest; the message names the file and line. */
export class ResourceError extends Error {
  override name = "ResourceError";
}

/** What one call added, by kind. */
export interface AddedResources {
  secrets: string[];
  configMaps: string[];
}

/** How a user provides a missing Secret or ConfigMap; the default names the workflow's file and `--resources`. */
export type HowToProvide = (kind: "Secret" | "ConfigMap", name?: string) => string;

/** The default hint: add the manifest to the workflow's file, or pass a file with `--resources`. */
export const defaultHowToProvide: HowToProvide = (kind, name) =>
  `add a "kind: ${kind}" manifest${
    name ? ` named ${name}` : ""
  } to the workflow's file (as another YAML document) or give skiff a file of them with --resources FILE`;

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

/** The Secrets and ConfigMaps a local run can use. */
export class LocalResources {
  #secrets = new Map<string, LocalSecret>();
  #configMaps = new Map<string, LocalConfigMap>();
  /** How a missing one is provided, for error messages. */
  howToProvide: HowToProvide;

  constructor(opts: { howToProvide?: HowToProvide } = {}) {
    this.howToProvide = opts.howToProvide ?? defaultHowToProvide;
  }

  /** Reads files of Secret/ConfigMap manifests (YAML or JSON, several documents, `kind: List`). */
  static async load(paths: string[], opts: { howToProvide?: HowToProvide } = {}): Promise<LocalResources> {
    const r = new LocalResources(opts);
    for (const p of paths) await r.loadFile(p);
    return r;
  }

  /**
   * Adds the Secrets and ConfigMaps of a file. Documents of other kinds are not its business (a
   * workflow file's Workflow is skipped); a file with none is an error, as it is surely a mistake.
   */
  async loadFile(path: string): Promise<AddedResources> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      throw new ResourceError(
        `${path}: cannot read the resources file: ${e instanceof Error ? e.message : e}`,
      );
    }
    const added = this.addText(text, path);
    if (added.secrets.length === 0 && added.configMaps.length === 0) {
      throw new ResourceError(`${path}: has no "kind: Secret" or "kind: ConfigMap" document`);
    }
    return added;
  }

  /** Adds the Secrets and ConfigMaps among the documents of a YAML/JSON text (others are skipped). */
  addText(text: string, file: string): AddedResources {
    const loaded = loadText(text, file);
    const syntax = loaded.problems.find((p) => p.severity === "error");
    if (syntax) throw new ResourceError(`${syntax.file}:${syntax.line}:${syntax.col}: ${syntax.message}`);
    const added: AddedResources = { secrets: [], configMaps: [] };
    for (const doc of loaded.documents) {
      const where = `${doc.file}:${doc.positionOf([]).line}`;
      this.#addValue(doc.value, where, added);
    }
    return added;
  }

  /** Adds already parsed documents (e.g. those of the workflow's file); other kinds are skipped. */
  addDocuments(values: unknown[], source = "(documents)"): AddedResources {
    const added: AddedResources = { secrets: [], configMaps: [] };
    values.forEach((v, i) => this.#addValue(v, `${source}#${i + 1}`, added));
    return added;
  }

  #addValue(value: unknown, where: string, added: AddedResources): void {
    if (!isRecord(value)) return;
    if (value.kind === "List" && Array.isArray(value.items)) {
      value.items.forEach((item, i) => this.#addValue(item, `${where} (items[${i}])`, added));
      return;
    }
    if (value.kind === "Secret") {
      const s = parseSecret(value, where);
      this.#secrets.set(key(s.namespace, s.name), s);
      added.secrets.push(s.name);
    } else if (value.kind === "ConfigMap") {
      const c = parseConfigMap(value, where);
      this.#configMaps.set(key(c.namespace, c.name), c);
      added.configMaps.push(c.name);
    }
  }

  /** Nothing was added. */
  get empty(): boolean {
    return this.#secrets.size === 0 && this.#configMaps.size === 0;
  }

  /** The Secret `name` as a workflow of `namespace` sees it. */
  secret(namespace: string, name: string): LocalSecret | undefined {
    return this.#secrets.get(key(namespace, name)) ?? this.#secrets.get(key(undefined, name));
  }

  /** The ConfigMap `name` as a workflow of `namespace` sees it. */
  configMap(namespace: string, name: string): LocalConfigMap | undefined {
    return this.#configMaps.get(key(namespace, name)) ?? this.#configMaps.get(key(undefined, name));
  }

  /** The ConfigMaps a workflow of `namespace` sees, as the engine takes them (for parameters). */
  configMapsFor(namespace: string): Record<string, ConfigMapData> {
    const out: Record<string, ConfigMapData> = {};
    const add = (c: LocalConfigMap) => (out[c.name] = { labels: { ...c.labels }, data: { ...c.data } });
    for (const c of this.#configMaps.values()) if (c.namespace === undefined) add(c);
    for (const c of this.#configMaps.values()) if (c.namespace === namespace) add(c);
    return out;
  }

  /** Names of what is held, for a summary line ("secrets: a, b; configmaps: c"). */
  names(): AddedResources {
    return {
      secrets: [...this.#secrets.values()].map((s) => s.name),
      configMaps: [...this.#configMaps.values()].map((c) => c.name),
    };
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ""}/${name}`;
}

function metaOf(
  value: Record<string, unknown>,
  kind: string,
  where: string,
): { name: string; namespace?: string } {
  const meta = isRecord(value.metadata) ? value.metadata : {};
  const name = meta.name;
  if (name !== undefined && name !== null && typeof name !== "string") {
    // e.g. `name: n` or `name: 0755`, which YAML (as Argo and kubectl read it) makes false or 493.
    throw new ResourceError(
      `${where}: ${kind} metadata.name must be a string (quote it), not ${JSON.stringify(name)}`,
    );
  }
  if (typeof name !== "string" || name === "") {
    throw new ResourceError(`${where}: ${kind} has no metadata.name`);
  }
  const out: { name: string; namespace?: string } = { name };
  if (typeof meta.namespace === "string" && meta.namespace !== "") out.namespace = meta.namespace;
  return out;
}

function stringMap(v: unknown, what: string, where: string, keys = SECRET_KEY): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isRecord(v)) throw new ResourceError(`${where}: ${what} must be a mapping of keys to strings`);
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!keys.test(k)) {
      throw new ResourceError(
        `${where}: ${what} key "${k}" is not valid (use letters, digits, '-', '_' and '.')`,
      );
    }
    if (typeof val !== "string") {
      throw new ResourceError(
        `${where}: ${what}.${k} must be a string (quote it), not ${JSON.stringify(val)}`,
      );
    }
    out[k] = val;
  }
  return out;
}

function base64Map(v: unknown, what: string, where: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const [k, text] of Object.entries(stringMap(v, what, where))) {
    try {
      out[k] = Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
    } catch {
      throw new ResourceError(
        `${where}: ${what}.${k} is not valid base64 (Kubernetes' "data" is base64; put plain text under "stringData")`,
      );
    }
  }
  return out;
}

function parseSecret(value: Record<string, unknown>, where: string): LocalSecret {
  const meta = metaOf(value, "Secret", where);
  const data = base64Map(value.data, "data", where);
  const encoder = new TextEncoder();
  for (const [k, text] of Object.entries(stringMap(value.stringData, "stringData", where))) {
    data[k] = encoder.encode(text); // stringData wins over data, as in Kubernetes
  }
  return { ...meta, data, source: where };
}

function parseConfigMap(value: Record<string, unknown>, where: string): LocalConfigMap {
  const meta = metaOf(value, "ConfigMap", where);
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const labels = stringMap(metadata.labels, "metadata.labels", where, /^.+$/);
  const data = stringMap(value.data, "data", where);
  const binaryData = base64Map(value.binaryData, "binaryData", where);
  for (const k of Object.keys(binaryData)) {
    if (k in data) throw new ResourceError(`${where}: key "${k}" is in both data and binaryData`);
  }
  return { ...meta, labels, data, binaryData, source: where };
}
