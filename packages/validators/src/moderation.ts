import { z } from "zod";
import { isoDateTime, text, uuid } from "./common.ts";

/** What can be reported (docs/moderation.md). */
const reportTarget = z.enum(["story", "user", "companion", "message"]);
const reportReason = z.enum(["spam", "harassment", "hate", "sexual", "minor_safety", "self_harm", "violence", "impersonation", "other"]);

export const moderationReportInput = z.object({
  target: reportTarget,
  id: uuid,
  reason: reportReason,
  note: text().trim().max(1000).optional(),
});

/** The same report twice is one report: `created` false, same `reportId`. */
export const moderationReportOutput = z.object({
  reportId: uuid,
  target: reportTarget,
  id: uuid,
  status: z.enum(["open", "dismissed", "hidden", "banned"]),
  created: z.boolean(),
  createdAt: isoDateTime,
});
