/**
 * `PUT /uploads/<key>` (local media storage): the bytes for a `media.createUpload` URL, whose HMAC pins
 * key, type, size and expiry; the size caps the stream (413), then the upload is marked done. Reads: media.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { getMediaUpload, markMediaUploaded, withUser, type Database } from "@companion/db";
import { DomainError } from "@companion/errors";
import { UploadSizeError, type LocalMediaStorage } from "@companion/storage";
import { parseMediaKey } from "@companion/validators";
import type { Logger } from "pino";
import { sendJson } from "./http-utils.ts";

export const UPLOADS_PREFIX = "/uploads/";

export function createUploadRoutes(deps: { storage: LocalMediaStorage; db: Database; log: Logger }) {
  const { storage, db, log } = deps;

  async function put(req: IncomingMessage, res: ServerResponse, key: string, userId: string, query: URLSearchParams): Promise<void> {
    const check = storage.verifyUpload(key, query);
    if (!check.ok) {
      const error = check.reason === "expired" ? "Upload URL expired" : "Invalid upload signature";
      return sendJson(res, 403, { error }, { connection: "close" });
    }
    const { contentType, byteSize } = check.grant;
    const sentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (sentType !== contentType) {
      return sendJson(res, 415, { error: `Content-Type must be ${contentType}` }, { connection: "close" });
    }
    const declared = req.headers["content-length"] === undefined ? null : Number(req.headers["content-length"]);
    if (declared !== null && declared > byteSize) {
      return sendJson(res, 413, { error: "Payload too large", limitBytes: byteSize }, { connection: "close" });
    }
    if (declared !== null && declared !== byteSize) {
      return sendJson(res, 400, { error: `Body must be exactly ${byteSize} bytes` }, { connection: "close" });
    }
    const row = await withUser(db, userId, (tx) => getMediaUpload(tx, { userId, key })).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === "NOT_FOUND") return null;
      throw err;
    });
    if (!row) return sendJson(res, 404, { error: "Unknown media key" }, { connection: "close" });
    // Stored media is immutable: a story may already show it.
    if (row.uploadedAt) return sendJson(res, 409, { error: "Already uploaded" }, { connection: "close" });

    try {
      await storage.receive(key, req, byteSize);
    } catch (err) {
      if (err instanceof UploadSizeError) {
        const status = err.reason === "too_large" ? 413 : 400;
        return sendJson(res, status, { error: err.message, limitBytes: byteSize }, { connection: "close" });
      }
      // The client went away mid-body: nothing was kept, and nobody is left to answer.
      if (req.destroyed || req.readableAborted) return void res.destroy();
      throw err;
    }
    await withUser(db, userId, (tx) => markMediaUploaded(tx, { userId, key }));
    log.debug({ key, byteSize }, "media uploaded");
    sendJson(res, 200, { mediaKey: key, byteSize });
  }

  /** Handles a request under UPLOADS_PREFIX. */
  return async function handleUploads(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.slice(UPLOADS_PREFIX.length));
    } catch {
      return sendJson(res, 404, { error: "Not found" });
    }
    const parsed = parseMediaKey(key);
    if (!parsed) return sendJson(res, 404, { error: "Not found" });
    if (req.method === "PUT") return put(req, res, key, parsed.userId, url.searchParams);
    sendJson(res, 405, { error: "Method not allowed" }, { allow: "PUT" });
  };
}
