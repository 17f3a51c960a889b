import { mkdirSync } from "node:fs";
import lockfile from "proper-lockfile";

export class DataDirLockedError extends Error {
  readonly code = "DATA_DIR_LOCKED";
  constructor(readonly dataDir: string, options?: ErrorOptions) {
    super(
      `The embedded database at ${dataDir} is already in use by another process. ` +
        `Two processes opening it would corrupt it, so this one will not. ` +
        `Stop the other server (or admin command), or set DATABASE_URL to use a shared Postgres.`,
      options,
    );
    this.name = "DataDirLockedError";
  }
}

/**
 * Takes an exclusive, cross-process lock on a PGlite data directory (a `<dir>.lock`
 * directory refreshed every few seconds, so a crashed holder goes stale).
 * Resolves to the release function; rejects with DataDirLockedError when held.
 */
export async function lockDataDir(dataDir: string, onCompromised: (err: Error) => void): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  try {
    return await lockfile.lock(dataDir, { realpath: false, stale: 15_000, update: 5_000, retries: 0, onCompromised });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOCKED") throw new DataDirLockedError(dataDir, { cause: err });
    throw err;
  }
}
