/**
 * The store's change sequence: one counter over every workflow write and deletion, as Kubernetes'
 * resourceVersion is one counter for a whole collection. Each workflow row keeps the sequence
 * number of its last write (`seq`), and each deletion leaves a tombstone with its own. A list
 * reports the counter; a watch from it sends the rows written after it and the tombstones laid
 * after it, so neither a write in the list's own millisecond nor a deletion made before the watch
 * began is missed (a clock time cannot tell either).
 */
import type { DatabaseSync } from "node:sqlite";
import { statement } from "./store_sql.ts";

/** How long a deletion is remembered: a watch from an older list is told to list again. */
export const TOMBSTONE_KEEP_MS = 24 * 3600_000;

export const CHANGES_SCHEMA = `
CREATE TABLE IF NOT EXISTS workflow_tombstones (
  uid TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  phase TEXT NOT NULL,
  labels TEXT,
  seq INTEGER NOT NULL,
  deleted TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS workflow_tombstones_seq ON workflow_tombstones (namespace, seq);
`;

/** A deleted workflow as a watch needs it: who it was, and the labels it was selected by. */
export interface Tombstone {
  uid: string;
  namespace: string;
  name: string;
  phase: string;
  labels?: Record<string, string>;
  seq: number;
}

/** Raised for a watch from a sequence number older than the deletions still remembered. */
export class ChangesForgottenError extends Error {}

/** Adds what schema 4 needs to an older file: the `seq` column and the counters. */
export function migrateChanges(db: DatabaseSync): void {
  const columns = db.prepare("SELECT name FROM pragma_table_xinfo('workflows')").all() as { name: string }[];
  if (!columns.some((c) => c.name === "seq")) {
    db.exec("ALTER TABLE workflows ADD COLUMN seq INTEGER NOT NULL DEFAULT 0");
  }
  db.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', '0'), ('tombstones_from', '0')");
}

/** The next sequence number (call inside the transaction of the write it numbers). */
export function nextSeq(db: DatabaseSync): number {
  const row = statement(
    db,
    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'seq' RETURNING value",
  ).get() as { value: string | number };
  return Number(row.value);
}

/** The sequence number of the newest change ("nothing after this" for a list). */
export function currentSeq(db: DatabaseSync): number {
  return Number((statement(db, "SELECT value FROM meta WHERE key = 'seq'").get() as { value: string }).value);
}

/** Records a deletion, and forgets deletions older than {@link TOMBSTONE_KEEP_MS}. */
export function bury(
  db: DatabaseSync,
  dead: Omit<Tombstone, "labels"> & { labels: string | null },
  now: Date,
) {
  db.prepare(
    "INSERT OR REPLACE INTO workflow_tombstones (uid, namespace, name, phase, labels, seq, deleted) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?)",
  ).run(dead.uid, dead.namespace, dead.name, dead.phase, dead.labels, dead.seq, now.toISOString());
  const cutoff = new Date(now.getTime() - TOMBSTONE_KEEP_MS).toISOString();
  const forgotten = db.prepare("DELETE FROM workflow_tombstones WHERE deleted < ? RETURNING seq").all(
    cutoff,
  ) as {
    seq: number;
  }[];
  if (forgotten.length > 0) {
    const newest = Math.max(...forgotten.map((f) => Number(f.seq)));
    db.prepare("UPDATE meta SET value = max(CAST(value AS INTEGER), ?) WHERE key = 'tombstones_from'").run(
      newest,
    );
  }
}

/**
 * The deletions in `namespace` after sequence number `since`, oldest first. Throws
 * ChangesForgottenError when some deletions after `since` may have been forgotten already.
 */
export function tombstonesSince(db: DatabaseSync, namespace: string, since: number): Tombstone[] {
  const from = Number(
    (db.prepare("SELECT value FROM meta WHERE key = 'tombstones_from'").get() as { value: string }).value,
  );
  if (since < from) {
    throw new ChangesForgottenError(
      `deletions up to ${from} are no longer remembered (they are kept ${TOMBSTONE_KEEP_MS / 3600_000} h)`,
    );
  }
  const rows = db.prepare(
    "SELECT uid, namespace, name, phase, labels, seq FROM workflow_tombstones " +
      "WHERE namespace = ? AND seq > ? ORDER BY seq",
  ).all(namespace, since) as Record<string, string | number | null>[];
  return rows.map((r) => ({
    uid: String(r.uid),
    namespace: String(r.namespace),
    name: String(r.name),
    phase: String(r.phase),
    ...(r.labels ? { labels: JSON.parse(String(r.labels)) as Record<string, string> } : {}),
    seq: Number(r.seq),
  }));
}
