/** The recurring sweeps (cron schedules): story expiry, event, stream-ticket and session-revocation pruning. */
import { expireStories, pruneEvents, pruneSecurityLog, pruneSessionRevocations, pruneUsedStreamTickets } from "@companion/db";
import type { JobHandlers } from "@companion/jobs";
import { storiesExpired } from "@companion/metrics";
import type { JobDeps } from "./deps.ts";

/** A redeemed stream ticket only matters until its signature expires (60 s). */
const STREAM_TICKET_LIFETIME_MS = 60_000;

export function maintenanceHandlers({ db, queue, retention }: JobDeps): JobHandlers {
  return {
    // Idempotent: a second run finds nothing left to expire. The media of each batch is
    // enqueued for purging in that batch's transaction.
    "stories.expire": async () => {
      const { softDeleted, hardDeleted, mediaKeys } = await expireStories(db, {
        graceMs: retention.storyDeleteGraceMs,
        onMedia: async (tx, keys) => {
          for (let i = 0; i < keys.length; i += 1000) await queue.enqueue(tx, "media.purge", { keys: keys.slice(i, i + 1000) });
        },
      });
      if (softDeleted > 0) storiesExpired.inc(softDeleted);
      return { softDeleted, hardDeleted, mediaQueued: mediaKeys.length };
    },
    // Also the security log past its year and expired password reset tokens (docs/security-events.md#retention).
    "events.prune": async () => {
      const eventsPruned = await pruneEvents(db, { olderThan: new Date(Date.now() - retention.eventRetentionMs) });
      const securityLog = await pruneSecurityLog(db, { now: new Date() });
      return { eventsPruned, securityEventsPruned: securityLog.securityEvents, resetTokensPruned: securityLog.resetTokens };
    },
    // Also forgets session revocations whose access tokens have all expired (docs/auth.md#revocation).
    "stream-tickets.prune": async () => ({
      ticketsPruned: await pruneUsedStreamTickets(db, { before: new Date(Date.now() - STREAM_TICKET_LIFETIME_MS) }),
      revocationsPruned: await pruneSessionRevocations(db, { before: new Date() }),
    }),
  };
}
