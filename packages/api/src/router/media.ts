import { mediaCompleteUploadInput, mediaCompleteUploadOutput, mediaCreateUploadInput, mediaCreateUploadOutput } from "@companion/validators";
import { rateLimited } from "../rate-limit.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const mediaRouter = router({
  /**
   * A short-lived upload URL for one file of an allowed type and exact size, and the media
   * key to put in a story once the bytes are up (docs/media.md).
   */
  createUpload: protectedProcedure
    .use(rateLimited("mediaUpload"))
    .input(mediaCreateUploadInput)
    .output(mediaCreateUploadOutput)
    .mutation(({ ctx, input }) => ctx.services.media.createUpload(ctx.services.db, ctx.user.id, input)),

  /** After a direct-to-S3 upload: checks the object is there and marks the key usable. */
  completeUpload: protectedProcedure
    .input(mediaCompleteUploadInput)
    .output(mediaCompleteUploadOutput)
    .mutation(({ ctx, input }) => ctx.services.media.completeUpload(ctx.services.db, ctx.user.id, input.mediaKey)),
});
