import { randomUUID } from "node:crypto";
import { dropProcessLease, pruneProcessLeases, renewProcessLease, type Database } from "@companion/db";

export interface ProcessLease {
  /** Recorded on the exchanges this process answers (messages.owner_process). */
  readonly id: string;
  /** Gives the lease up: what this process was answering may be taken over at once. */
  release(): Promise<void>;
}

export interface ProcessLeaseOptions {
  db: Database;
  /** A process silent this long is presumed dead; a retry then answers its exchanges. */
  ttlMs?: number;
  renewEveryMs?: number;
  onError?: (err: unknown) => void;
}

/** Takes this process's lease (awaited: exchanges must not be recorded under a lease nobody holds) and renews it. */
export async function startProcessLease(options: ProcessLeaseOptions): Promise<ProcessLease> {
  const { db, ttlMs = 10_000, renewEveryMs = 3_000 } = options;
  const id = randomUUID();
  await renewProcessLease(db, { id, ttlMs });
  let renewals = 0;
  let inflight: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    inflight = (async () => {
      await renewProcessLease(db, { id, ttlMs });
      // Now and then, the rows of processes long gone.
      if (++renewals % 100 === 1) await pruneProcessLeases(db);
    })().catch((err: unknown) => options.onError?.(err));
  }, renewEveryMs);
  timer.unref();
  return {
    id,
    release: async () => {
      clearInterval(timer);
      await inflight;
      await dropProcessLease(db, id);
    },
  };
}
