/**
 * initdb of a new PGlite data dir, in a child process (docs/scaling.md#memory).
 *
 * PGlite creates a data dir with a second, temporary PGlite instance: its WebAssembly memory
 * (128 MiB, all of it written) and the tarballs it copies the new cluster through (115 MiB)
 * stay in the process until a major GC, which an idle server does not run for minutes:
 * the first start on a fresh dir held 240 MiB more than every later start. In a child
 * process all of it goes back to the system when the child exits. Once per data dir.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** What the child runs: PGlite's own create on the dir, then close (initdb writes it to disk). */
const INITDB_SCRIPT = `
const [url, dataDir, startParams, initDbStartParams] = process.argv.slice(1);
const { PGlite } = await import(url);
const pg = await PGlite.create({ dataDir, startParams: JSON.parse(startParams), initDbStartParams: JSON.parse(initDbStartParams) });
await pg.close();
`;

interface PgliteParams {
  startParams: string[];
  initDbStartParams: string[];
}

/** True when `dataDir` holds no cluster yet (PGlite looks for the same file). */
export const needsInitdb = (dataDir: string) => !existsSync(join(dataDir, "PG_VERSION"));

/**
 * Runs initdb on `dataDir` in a child process and resolves when the cluster is on disk.
 * The caller holds the data dir's lock. The child is in a process group of its own, so a
 * Ctrl-C meant for the server does not stop it halfway (the server waits for it, then stops).
 */
export async function initdbInChild(dataDir: string, params: PgliteParams): Promise<void> {
  const args = [import.meta.resolve("@electric-sql/pglite"), dataDir, JSON.stringify(params.startParams), JSON.stringify(params.initDbStartParams)];
  const child = spawn(process.execPath, ["--input-type=module", "--eval", INITDB_SCRIPT, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    detached: true,
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, "close")) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`initdb of the PGlite data dir ${dataDir} failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`);
}
