/**
 * Prepared statements kept per database: the store runs the same few statements several times per
 * step, and preparing one anew each time (parsing and planning its SQL) was a measurable part of
 * the host's CPU per step. Only for SQL whose text is fixed; SQL built per query (list filters)
 * is prepared each time, so that this cache stays small.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";

const statements = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** The prepared statement of `sql` on `db`, prepared on first use. */
export function statement(db: DatabaseSync, sql: string): StatementSync {
  let mine = statements.get(db);
  if (!mine) {
    mine = new Map();
    statements.set(db, mine);
  }
  let s = mine.get(sql);
  if (!s) {
    s = db.prepare(sql);
    mine.set(sql, s);
  }
  return s;
}
