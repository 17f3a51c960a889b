/** The report queue (docs/moderation.md): reports:list, reports:resolve. */
import { revokeSessions } from "@companion/auth";
import { listReports, recordSecurityEvent, resolveReport, setUserDisabled, type ReportRecord } from "@companion/db";
import { z } from "zod";
import { defineCommand, intFlag, required, type Command } from "./command.ts";

const reportJson = (r: ReportRecord) => ({
  ...r,
  createdAt: r.createdAt.toISOString(),
  resolvedAt: r.resolvedAt?.toISOString() ?? null,
});

export const moderationCommands: Record<string, Command> = {
  "reports:list": defineCommand({
    summary: "List reports, oldest first (the queue); --status open for the ones to work",
    options: {
      status: { type: "string", value: "STATUS", description: "open, dismissed, hidden or banned (default: all)" },
      limit: { type: "string", value: "N", description: "at most N reports, 1 to 1000 (default 100)" },
    },
    input: z.object({ status: z.enum(["open", "dismissed", "hidden", "banned"]).optional(), limit: intFlag(1, 1000).default(100) }),
    run: async (db, input) => {
      await db.migrate();
      return listReports(db.db, input);
    },
    json: (rows) => rows.map(reportJson),
    human: (rows) =>
      rows.length === 0
        ? ["no reports"]
        : rows.map((r) => `${r.id}  ${r.createdAt.toISOString()}  ${r.status.padEnd(9)}  ${r.targetKind} ${r.targetId}  ${r.reason}${r.note ? `  "${r.note}"` : ""}`),
  }),

  "reports:resolve": defineCommand({
    summary: "Resolve a report and every open report on its target: dismiss, hide the content, or ban its author",
    args: [{ name: "id", description: "the report's id (from reports:list)" }],
    options: { action: { type: "string", value: "ACTION", description: "dismiss | hide | ban (required)" } },
    input: z.object({
      args: z.tuple([required().pipe(z.uuid("must be a report id (uuid)"))]),
      action: z.enum(["dismiss", "hide", "ban"]),
    }),
    run: async (db, { args: [id], action }) => {
      await db.migrate();
      return db.db.transaction(async (tx) => {
        const resolved = await resolveReport(tx, { reportId: id.toLowerCase(), action, by: "admin-cli" });
        let revokedSessions = 0;
        if (resolved.banUserId) {
          // A ban: the account is disabled, its sessions end, and its security log says why.
          await setUserDisabled(tx, resolved.banUserId, new Date());
          revokedSessions = (await revokeSessions(tx, { id: resolved.banUserId })).revokedSessions;
          await recordSecurityEvent(tx, {
            userId: resolved.banUserId,
            kind: "account_banned",
            detail: { reportId: resolved.report.id, targetKind: resolved.report.targetKind, targetId: resolved.report.targetId },
          });
        }
        return { ...resolved, revokedSessions };
      });
    },
    json: (r) => ({
      report: reportJson(r.report),
      resolvedReports: r.resolvedReports,
      hidden: r.hidden,
      bannedUserId: r.banUserId,
      revokedSessions: r.revokedSessions,
    }),
    human: (r) => [
      `${r.report.status} ${r.report.targetKind} ${r.report.targetId}: ${r.resolvedReports} open report(s) resolved` +
        (r.hidden > 0 ? `, ${r.hidden} row(s) hidden` : "") +
        (r.banUserId ? `, account ${r.banUserId} disabled and ${r.revokedSessions} session(s) revoked` : ""),
    ],
  }),
};
