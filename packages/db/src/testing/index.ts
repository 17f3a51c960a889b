/**
 * Per-test-file databases, copied from the run's migrated template (see global-setup.ts).
 * Tests import this through `@companion/db/testing`.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import { openDatabase } from "../client.ts";
import type { DatabaseHandle } from "../types.ts";
import "./provided.ts";
import { databaseUrlWithName } from "./urls.ts";
import type { Logger } from "drizzle-orm/logger";

export { databaseUrlWithName } from "./urls.ts";

export interface TestDatabase extends DatabaseHandle {
  /** For tests that need a second connection (e.g. a second server process). */
  url: string | undefined;
}

export function testBackend(): "pglite" | "postgres" {
  return inject("dbBackend");
}

/** A fresh, migrated, isolated database for one test file. Close it in afterAll. */
export async function createTestDatabase(options: { logger?: Logger; poolSize?: number } = {}): Promise<TestDatabase> {
  if (testBackend() === "pglite") {
    const blob = new Blob([await readFile(inject("pgliteTemplatePath"))]);
    const handle = await openDatabase({ kind: "pglite", loadDataDir: blob, ...options });
    return { ...handle, url: undefined };
  }
  const adminUrl = inject("pgAdminUrl");
  const name = `companion_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await createFromTemplate(admin, name, inject("pgTemplateName"));
  } finally {
    await admin.end();
  }
  const url = databaseUrlWithName(adminUrl, name);
  const handle = await openDatabase({ kind: "postgres", url, poolSize: options.poolSize ?? 5, ...(options.logger ? { logger: options.logger } : {}) });
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const cleanup = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

async function createFromTemplate(admin: postgres.Sql, name: string, template: string): Promise<void> {
  // CREATE DATABASE ... TEMPLATE refuses while another session copies the same template; retry briefly.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database "${name}" template "${template}"`);
      return;
    } catch (err) {
      if (attempt >= 20 || !String((err as Error).message).includes("being accessed")) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
}
