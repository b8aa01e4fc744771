/**
 * WorkflowTemplates, ClusterWorkflowTemplates and CronWorkflows of the local host: one table
 * (`api_objects`) in the store's SQLite file, each object stored whole as JSON with its kind,
 * namespace ("" for cluster-scoped kinds), name, uid, creation time and a version that increases on
 * every write (reported as metadata.resourceVersion).
 */
import type { DatabaseSync } from "node:sqlite";

/** An object as stored. */
export interface StoredObject<T> {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  created: string;
  version: number;
  object: T;
}

interface Meta {
  metadata: { name?: string; namespace?: string; uid?: string; creationTimestamp?: string };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS api_objects (
  kind TEXT NOT NULL,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  created TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  object TEXT NOT NULL,
  PRIMARY KEY (kind, namespace, name)
);`;

/** The table of API objects other than workflows. */
export class ObjectTable {
  #now: () => Date;

  constructor(readonly db: DatabaseSync, now?: () => Date) {
    this.#now = now ?? (() => new Date());
    db.exec(SCHEMA);
  }

  get<T>(kind: string, namespace: string, name: string): StoredObject<T> | undefined {
    const row = this.db.prepare("SELECT * FROM api_objects WHERE kind = ? AND namespace = ? AND name = ?")
      .get(kind, namespace, name);
    return row ? toObject<T>(row) : undefined;
  }

  /** Objects of a kind in a namespace, by name. */
  list<T>(kind: string, namespace: string): StoredObject<T>[] {
    return this.db.prepare("SELECT * FROM api_objects WHERE kind = ? AND namespace = ? ORDER BY name")
      .all(kind, namespace).map((r) => toObject<T>(r));
  }

  /** Objects of a kind in every namespace, by namespace and name. */
  listAll<T>(kind: string): StoredObject<T>[] {
    return this.db.prepare("SELECT * FROM api_objects WHERE kind = ? ORDER BY namespace, name")
      .all(kind).map((r) => toObject<T>(r));
  }

  /** Stores a new object, giving it a uid and creationTimestamp. */
  create<T extends Meta>(kind: string, namespace: string, object: T): StoredObject<T> {
    const name = object.metadata.name!;
    const uid = crypto.randomUUID();
    const created = this.#now().toISOString().replace(/\.\d{3}Z$/, "Z");
    const stored = { ...object, metadata: { ...object.metadata, uid, creationTimestamp: created } };
    this.db.prepare(
      "INSERT INTO api_objects (kind, namespace, name, uid, created, version, object) VALUES (?, ?, ?, ?, ?, 1, ?)",
    ).run(kind, namespace, name, uid, created, JSON.stringify(stored));
    return this.get<T>(kind, namespace, name)!;
  }

  /** Replaces an object, keeping its uid and creationTimestamp. */
  update<T extends Meta>(kind: string, namespace: string, name: string, object: T): StoredObject<T> {
    const current = this.get<T>(kind, namespace, name);
    if (!current) throw new Error(`${kind} ${namespace}/${name} does not exist`);
    const { resourceVersion: _, ...meta } = object.metadata as T["metadata"] & { resourceVersion?: string };
    const stored = { ...object, metadata: { ...meta, uid: current.uid, creationTimestamp: current.created } };
    this.db.prepare(
      "UPDATE api_objects SET object = ?, version = version + 1 WHERE kind = ? AND namespace = ? AND name = ?",
    ).run(JSON.stringify(stored), kind, namespace, name);
    return this.get<T>(kind, namespace, name)!;
  }

  /** Removes an object; true when it existed. */
  delete(kind: string, namespace: string, name: string): boolean {
    return this.db.prepare("DELETE FROM api_objects WHERE kind = ? AND namespace = ? AND name = ?")
      .run(kind, namespace, name).changes > 0;
  }
}

function toObject<T>(r: Record<string, unknown>): StoredObject<T> {
  return {
    kind: String(r.kind),
    namespace: String(r.namespace),
    name: String(r.name),
    uid: String(r.uid),
    created: String(r.created),
    version: Number(r.version),
    object: JSON.parse(String(r.object)) as T,
  };
}
