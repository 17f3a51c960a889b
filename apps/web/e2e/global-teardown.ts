import { rm } from "node:fs/promises";

/** Removes this run's PGlite data dir (the servers have stopped by now). */
export default async function globalTeardown() {
  const dir = process.env.E2E_DATA_DIR;
  if (dir) await rm(dir, { recursive: true, force: true });
}
