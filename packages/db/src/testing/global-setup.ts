/**
 * Vitest global setup, once per test run and backend: builds ONE migrated database
 * template that every test file copies, instead of running initdb + migrations per file.
 *  - pglite:   an in-memory PGlite is migrated and dumped to a tarball on disk.
 *  - postgres: a template database is created on TEST_DATABASE_URL and migrated.
 * A backend that cannot be reached fails the run here, loudly.
 */
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../client.ts";
import "./provided.ts";
import { databaseUrlWithName } from "./urls.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const backend = project.config.env.TEST_BACKEND === "postgres" ? "postgres" : "pglite";
  project.provide("dbBackend", backend);
  if (backend === "pglite") {
    const handle = await openDatabase({ kind: "pglite" });
    await handle.migrate();
    // PGlite.dumpDataDir lives on the client; reach it through a fresh handle-independent path.
    const blob = await dumpPglite(handle);
    await handle.close();
    const path = join(tmpdir(), `companion-template-${process.pid}-${randomBytes(4).toString("hex")}.tar`);
    await writeFile(path, Buffer.from(await blob.arrayBuffer()));
    project.provide("pgliteTemplatePath", path);
    return async () => {
      await rm(path, { force: true });
    };
  }

  const adminUrl = project.config.env.TEST_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("TEST_BACKEND=postgres needs TEST_DATABASE_URL");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin`select 1`;
  } catch (err) {
    await admin.end();
    throw new Error(`Postgres at TEST_DATABASE_URL (${adminUrl}) is not reachable; \`pnpm test:services\` needs it (bash .ci/run starts it)`, { cause: err });
  }
  const bouncerUrl = project.config.env.TEST_PGBOUNCER_URL;
  if (bouncerUrl) {
    const bouncer = postgres(bouncerUrl, { max: 1, prepare: false, onnotice: () => {} });
    try {
      await bouncer`select 1`;
    } catch (err) {
      await admin.end();
      throw new Error(`PgBouncer at TEST_PGBOUNCER_URL (${bouncerUrl}) is not reachable; \`pnpm test:pgbouncer\` needs it (bash .ci/run starts it)`, { cause: err });
    } finally {
      await bouncer.end();
    }
  }
  const templateName = `companion_tpl_${process.pid}_${randomBytes(3).toString("hex")}`;
  await admin.unsafe(`create database "${templateName}"`);
  const handle = await openDatabase({ kind: "postgres", url: databaseUrlWithName(adminUrl, templateName), poolSize: 1 });
  await handle.migrate();
  await handle.close();
  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplateName", templateName);
  return async () => {
    await admin.unsafe(`drop database if exists "${templateName}" with (force)`);
    await admin.end();
  };
}

async function dumpPglite(handle: Awaited<ReturnType<typeof openDatabase>>): Promise<Blob> {
  const client = (handle.db as unknown as { $client: { dumpDataDir(c?: "none"): Promise<Blob> } }).$client;
  return client.dumpDataDir("none");
}
