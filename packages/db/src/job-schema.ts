/**
 * The job queue's tables (pg-boss, schema `pgboss`), installed with the migrations so a fresh
 * database, and every test template, has them before any process opens the queue. pg-boss
 * upgrades its own schema on start (packages/jobs); this only installs it where it is missing.
 * Request code enqueues inside its own transaction, as APP_ROLE, hence the grants.
 */
import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { getConstructionPlans } from "pg-boss";
import { executePrepared, rowsOf } from "./raw-sql.ts";
import { APP_ROLE } from "./transaction.ts";
import type { Database } from "./types.ts";

export const JOB_SCHEMA = "pgboss";

/** Runs a script of several statements without parameters (simple protocol), and one query. */
export interface ScriptRunner {
  exec(script: string): Promise<void>;
  /** Whether pg-boss's schema is installed. */
  installed(): Promise<boolean>;
}

const GRANTS = `
  GRANT USAGE ON SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
  GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA ${JOB_SCHEMA} TO ${APP_ROLE};
  ALTER DEFAULT PRIVILEGES IN SCHEMA ${JOB_SCHEMA} GRANT SELECT, INSERT ON TABLES TO ${APP_ROLE};
`;

/** Installs the job schema when it is missing; always (re)applies the grants. Call under the migration lock. */
export async function installJobSchema(runner: ScriptRunner): Promise<void> {
  if (!(await runner.installed())) await runner.exec(getConstructionPlans(JOB_SCHEMA));
  await runner.exec(GRANTS);
}

export const jobSchemaInstalledQuery = `select to_regclass('${JOB_SCHEMA}.version') is not null as installed`;

/** What pg-boss runs its statements through when it is given a `db` (its IDatabase). */
interface JobStatementRunner {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/**
 * pg-boss's statements (a job's insert) inside `db`, the caller's transaction, each as a named
 * prepared statement: parsed once per connection and sent in one round trip. pg-boss's own
 * drizzle adapter goes through `execute`, unprepared: the 100-line insert parsed again and a
 * describe round trip before it on every enqueue (docs/jobs.md, Benchmarks: about 0.5 ms of a
 * follow's added 2 ms on a loaded machine). Parameters stay bound (`$n` becomes a parameter,
 * never text).
 * On PGlite and behind a transaction pooler the statement simply runs (executePrepared).
 */
export function jobStatementsIn(db: Database): JobStatementRunner {
  return {
    async executeSql(text, values = []) {
      // Odd parts are the numbers of `$n` placeholders: pg-boss writes its values nowhere else.
      const parts = text.split(/\$(\d+)/);
      const query = sql.join(parts.map((part, i) => (i % 2 === 0 ? sql.raw(part) : sql.param(values[Number(part) - 1]))));
      const name = `pgboss_${createHash("sha1").update(text).digest("hex").slice(0, 16)}`;
      return { rows: rowsOf(await executePrepared(db, name, query)) };
    },
  };
}
