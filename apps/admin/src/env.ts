import { dbEnvShape } from "@companion/db";
import { z } from "zod";

/** The admin CLI needs only the database settings; the only reader of process.env here. */
export function parseAdminEnv(source: Record<string, string | undefined> = process.env) {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  return z.object(dbEnvShape).parse(cleaned);
}

/**
 * Where the operator ran the command. `pnpm admin` runs the CLI inside apps/admin, so a
 * relative `--file` must be resolved against pnpm's INIT_CWD (the invoking directory).
 */
export function invocationDir(source: Record<string, string | undefined> = process.env): string {
  return source.INIT_CWD || process.cwd();
}
