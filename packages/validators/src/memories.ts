import { z } from "zod";
import { cursor, isoDateTime, page, pageLimit, text, uuid } from "./common.ts";

const MEMORY_TITLE_MAX = 120;
const MEMORY_CONTENT_MAX = 4000;

const title = text().trim().max(MEMORY_TITLE_MAX);
const importance = z.number().int().min(1).max(10);
const memorySource = z.enum(["manual", "auto"]);
const content = text().trim().min(1).max(MEMORY_CONTENT_MAX);

const memory = z.object({
  id: uuid,
  companionId: uuid,
  /** The message it was saved from; null for typed memories (or once that message is gone). */
  messageId: uuid.nullable(),
  /** "" when untitled. */
  title: z.string(),
  content: z.string(),
  pinned: z.boolean(),
  /** `manual`: saved by me; `auto`: noticed by the companion in a conversation (mine to edit, pin or delete all the same). */
  source: memorySource,
  /** 1–10: how much it weighs when the prompt picks memories. */
  importance,
  /** When a reply last used it; null until then. */
  lastUsedAt: isoDateTime.nullable(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Memory = z.infer<typeof memory>;

/** Pinned first, then newest. Without `companionId`: all my memories; `source` narrows to mine or the automatic ones. The cursor is opaque. */
export const memoriesListInput = z.object({ companionId: uuid.optional(), source: memorySource.optional(), cursor: cursor.optional(), limit: pageLimit });
export const memoriesListOutput = page(memory);

/**
 * Free text with a companion I am connected to, or saved from one of my messages (its
 * content is copied, up to MEMORY_CONTENT_MAX characters, and the link kept).
 */
// One object with a refinement rather than a union, so a bad field is reported by its name.
export const memoriesCreateInput = z
  .object({ companionId: uuid.optional(), content: content.optional(), messageId: uuid.optional(), title: title.optional() })
  .superRefine((v, ctx) => {
    if (v.messageId !== undefined) {
      for (const key of ["companionId", "content"] as const) {
        if (v[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: `Not allowed with messageId` });
      }
      return;
    }
    if (v.companionId === undefined) ctx.addIssue({ code: "custom", path: ["companionId"], message: "Required (or give messageId)" });
    if (v.content === undefined) ctx.addIssue({ code: "custom", path: ["content"], message: "Required (or give messageId)" });
  });
export type MemoriesCreateInput = z.infer<typeof memoriesCreateInput>;
export const memoriesCreateOutput = memory;

export const memoriesUpdateInput = z
  .object({ memoryId: uuid, title: title.optional(), content: content.optional(), pinned: z.boolean().optional(), importance: importance.optional() })
  .refine((v) => v.title !== undefined || v.content !== undefined || v.pinned !== undefined || v.importance !== undefined, {
    message: "Nothing to update: give title, content, pinned or importance",
  });
export const memoriesUpdateOutput = memory;

export const memoriesDeleteInput = z.object({ memoryId: uuid });
export const memoriesDeleteOutput = z.object({ deleted: z.literal(true) });

const conversationSummary = z.object({
  /** 1 for the first fold, one more for each fold after it. */
  version: z.number().int().min(1),
  content: z.string(),
  /** The time of the newest message folded in: the history after it is kept verbatim. */
  coversUntil: isoDateTime,
  /** Messages folded in, over all versions. */
  messageCount: z.number().int().min(0),
  /** `model`, or `extractive` (the offline summary). */
  method: z.enum(["model", "extractive"]),
  createdAt: isoDateTime,
});
export type ConversationSummary = z.infer<typeof conversationSummary>;

/** The latest rolling summary of my conversation with a companion; null before the first fold. */
export const memoriesSummaryInput = z.object({ companionId: uuid });
export const memoriesSummaryOutput = conversationSummary.nullable();

/** Every version of that summary, newest first; keyset-paged with an opaque cursor. */
export const memoriesSummariesInput = z.object({ companionId: uuid, cursor: cursor.optional(), limit: pageLimit });
export const memoriesSummariesOutput = page(conversationSummary);
