/**
 * The account's jobs (docs/account.md): purging a deleted account's stored files, building a data
 * export archive and deleting it when it expires. Each is idempotent.
 */
import {
  buildAccountArchive,
  createNotification,
  deleteDataExports,
  getDataExport,
  listExpiredDataExports,
  markDataExportReady,
} from "@companion/db";
import type { JobHandlers } from "@companion/jobs";
import { deleteMediaObjects } from "@companion/storage";
import type { JobDeps } from "./deps.ts";

/** How long an archive stays downloadable before the expiry job deletes it. */
const EXPORT_RETENTION_MS = 7 * 24 * 3_600_000;

const exportStorageKey = (userId: string, exportId: string) => `x/${userId}/${exportId}.json`;

export function accountHandlers({ db, queue, media, log }: JobDeps): JobHandlers {
  return {
    // The account and every row naming these keys are gone: nothing can reference them any more.
    "account.purge-files": async ({ keys }) => {
      const { deleted, failed } = await deleteMediaObjects(media.storage, keys);
      for (const { key, error } of failed) log.warn({ key, err: error }, "deleted account's stored object not deleted: orphaned");
      return { purged: deleted.length, orphaned: failed.length };
    },

    "exports.build": async ({ exportId }) => {
      const pending = await getDataExport(db, { exportId });
      // Gone with its account, or built by an earlier run.
      if (!pending || pending.status !== "pending") return { skipped: 1 };
      const archive = await buildAccountArchive(db, { userId: pending.userId });
      const body = Buffer.from(JSON.stringify(archive, null, 2), "utf8");
      const key = exportStorageKey(pending.userId, exportId);
      // Written before the row says ready; a retry overwrites the same key.
      await media.storage.put(key, body, "application/json");
      const expiresAt = new Date(Date.now() + EXPORT_RETENTION_MS);
      // A worker without the media signing key (local storage in apps/worker) cannot sign: auth.exportStatus can.
      const link = await media.exportUrl(exportId, key).catch(() => null);
      const created = await db.transaction(async (tx) => {
        const ready = await markDataExportReady(tx, { exportId, storageKey: key, bytes: body.byteLength, expiresAt });
        if (!ready) return false;
        const note = await createNotification(tx, {
          userId: ready.userId,
          kind: "data_export_ready",
          payload: { exportId, url: link?.url ?? null, urlExpiresAt: link?.expiresAt.toISOString() ?? null, expiresAt: expiresAt.toISOString() },
          dedupeKey: `data_export:${exportId}`,
        });
        if (note) await queue.enqueue(tx, "notifications.push", { notificationId: note.id });
        return true;
      });
      return { built: created ? 1 : 0, bytes: body.byteLength };
    },

    // Objects first, then the rows: a store that fails leaves its row for the next run.
    "exports.prune": async () => {
      let pruned = 0;
      for (;;) {
        const expired = await listExpiredDataExports(db, { now: new Date(), limit: 100 });
        if (expired.length === 0) break;
        const keys = expired.flatMap((e) => (e.storageKey ? [e.storageKey] : []));
        const { failed } = await deleteMediaObjects(media.storage, keys);
        const kept = new Set(failed.map((f) => f.key));
        for (const { key, error } of failed) log.warn({ key, err: error }, "expired export archive not deleted; retried next run");
        const gone = expired.filter((e) => !e.storageKey || !kept.has(e.storageKey)).map((e) => e.id);
        await deleteDataExports(db, { ids: gone });
        pruned += gone.length;
        if (gone.length < expired.length || expired.length < 100) break;
      }
      return { pruned };
    },
  };
}
