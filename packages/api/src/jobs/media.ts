/** Deleting stored media once no live story or upload uses it (after expiry or deletion). */
import type { JobHandlers } from "@companion/jobs";
import type { JobDeps } from "./deps.ts";

export function mediaHandlers({ db, media, log }: JobDeps): JobHandlers {
  return {
    // Idempotent: keys already purged have no rows left, so a second run deletes nothing.
    "media.purge": async ({ keys }) => {
      const { deleted, failed } = await media.purge(db, keys);
      // Their rows are gone, so a retry would not find them: orphans to log, not to retry.
      for (const { key, error } of failed) log.warn({ key, err: error }, "stored media object not deleted: orphaned");
      return { purged: deleted.length, orphaned: failed.length };
    },
  };
}
