/**
 * The job queue's tables (pg-boss, schema `pgboss`), installed with the migrations so a fresh
 * database, and every test template, has them before any process opens the queue. pg-boss
 * upgrades its own schema on start (packages/jobs); this only installs it where it is missing.
 * Request code enqueues inside its own transaction, as APP_ROLE, hence the grants.
 */
import { getConstructionPlans } from "pg-boss";
import { APP_ROLE } from "./transaction.ts";

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
