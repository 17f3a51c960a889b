import { mkdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";

export class DataDirLockedError extends Error {
  readonly code = "DATA_DIR_LOCKED";
  readonly dataDir: string;
  readonly holder: LockOwner | null;
  constructor(dataDir: string, holder: LockOwner | null) {
    super(
      `The embedded database at ${dataDir} is already in use by another process` +
        (holder ? ` (pid ${holder.pid} on ${holder.host}, since ${holder.since})` : "") +
        `. Two processes opening it would corrupt it, so this one will not. ` +
        `Stop the other server (or admin command), or set DATABASE_URL to use a shared Postgres.`,
    );
    this.name = "DataDirLockedError";
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

function readOwner(path: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    return typeof parsed.pid === "number" && typeof parsed.host === "string" ? { pid: parsed.pid, host: parsed.host, since: String(parsed.since) } : null;
  } catch {
    return null;
  }
}

/**
 * Takes an exclusive, cross-process lock on a PGlite data directory: a `<dir>.lock` file
 * created with O_EXCL that names the owning process. Liveness is the owner's pid, not a
 * heartbeat, because PGlite's WebAssembly start-up blocks the event loop for seconds and a
 * heartbeat lock would go "stale" under a live owner. A lock left by a dead process (same
 * host) is taken over, under a short-lived takeover mutex so two starters can't both win.
 * Resolves to the release function; rejects with DataDirLockedError when held.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  mkdirSync(dataDir, { recursive: true });
  const lockPath = `${dataDir}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  const tryCreate = (): boolean => {
    try {
      writeFileSync(lockPath, JSON.stringify(me), { flag: "wx" });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw err;
    }
  };

  if (!tryCreate()) {
    const owner = readOwner(lockPath);
    if (owner && (owner.host !== me.host || alive(owner.pid))) throw new DataDirLockedError(dataDir, owner);
    takeOverStaleLock(lockPath, owner, tryCreate, dataDir);
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if (readOwner(lockPath)?.pid === me.pid) unlinkSync(lockPath);
  };
}

function takeOverStaleLock(lockPath: string, stale: LockOwner | null, tryCreate: () => boolean, dataDir: string): void {
  const mutex = `${lockPath}.takeover`;
  try {
    mkdirSync(mutex);
  } catch {
    // Someone else is taking over right now (or crashed doing so long ago).
    const age = Date.now() - (statSafe(mutex) ?? Date.now());
    if (age < 10_000) throw new DataDirLockedError(dataDir, stale);
    rmSync(mutex, { recursive: true, force: true });
    mkdirSync(mutex);
  }
  try {
    // Re-check under the mutex: the stale file may have been replaced by a live owner.
    const current = readOwner(lockPath);
    if (current && (current.host !== hostname() || alive(current.pid))) throw new DataDirLockedError(dataDir, current);
    rmSync(lockPath, { force: true });
    if (!tryCreate()) throw new DataDirLockedError(dataDir, readOwner(lockPath));
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}

const statSafe = (path: string): number | null => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
};
