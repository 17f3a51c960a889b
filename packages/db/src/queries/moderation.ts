import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import { DomainError, notFound } from "../errors.ts";
import { companions, messages, reports, stories, storyMedia, type reportReasons, type reportStatuses, type reportTargets } from "../schema/index.ts";
import type { Database } from "../types.ts";
import { companionVisibleTo } from "./companions/visibility.ts";
import { getPublicProfiles } from "./social.ts";
import { storyVisibleTo } from "./stories/visibility.ts";

/**
 * Reports and their resolution (docs/moderation.md). Filing runs in the reporter's `withUser`
 * scope (RLS: I file and read my own reports); listing and resolving are operators' service code.
 */

export type ReportTarget = (typeof reportTargets)[number];
type ReportReason = (typeof reportReasons)[number];
type ReportStatus = (typeof reportStatuses)[number];

interface Snapshot extends Record<string, unknown> {
  /** The account whose content it is (a story's author, the user, a companion's creator); null for system content. */
  authorUserId: string | null;
}

/**
 * The reported content as the reporter sees it now, or NOT_FOUND when they cannot see it: a story
 * visible to them, a user that exists, a companion visible to them, a message of their own
 * conversation. Media are kept as storage keys.
 */
async function snapshotOf(db: Database, userId: string, kind: ReportTarget, id: string): Promise<Snapshot> {
  switch (kind) {
    case "story": {
      const [story] = await db
        .select({ caption: stories.caption, authorUserId: stories.authorUserId, authorCompanionId: stories.authorCompanionId, createdAt: stories.createdAt })
        .from(stories)
        .where(and(eq(stories.id, id), storyVisibleTo(userId)));
      if (!story) throw notFound("Story");
      const media = await db.select({ mediaKey: storyMedia.mediaKey }).from(storyMedia).where(eq(storyMedia.storyId, id)).orderBy(asc(storyMedia.sortOrder));
      return {
        authorUserId: story.authorUserId,
        authorCompanionId: story.authorCompanionId,
        caption: story.caption,
        mediaKeys: media.map((m) => m.mediaKey),
        createdAt: story.createdAt.toISOString(),
      };
    }
    case "user": {
      const [profile] = await getPublicProfiles(db, [id]);
      if (!profile) throw notFound("User");
      return { authorUserId: profile.id, displayName: profile.displayName, avatarUrl: profile.avatarUrl };
    }
    case "companion": {
      const [c] = await db
        .select({
          ownerUserId: companions.ownerUserId,
          slug: companions.slug,
          name: companions.name,
          tagline: companions.tagline,
          bio: companions.bio,
          avatarUrl: companions.avatarUrl,
          avatarKey: companions.avatarKey,
          greeting: companions.greeting,
        })
        .from(companions)
        .where(and(eq(companions.id, id), companionVisibleTo(userId)));
      if (!c) throw notFound("Companion");
      const { ownerUserId, ...profile } = c;
      return { authorUserId: ownerUserId, ...profile };
    }
    case "message": {
      // Only a message of my own conversation: what I can see.
      const [m] = await db
        .select({ role: messages.role, content: messages.content, companionId: messages.companionId, createdAt: messages.createdAt, ownerUserId: companions.ownerUserId })
        .from(messages)
        .innerJoin(companions, eq(companions.id, messages.companionId))
        .where(and(eq(messages.id, id), eq(messages.userId, userId), isNull(messages.hiddenAt)));
      if (!m) throw notFound("Message");
      // The companion's words are its creator's responsibility; my own words are mine.
      const authorUserId = m.role === "assistant" ? m.ownerUserId : userId;
      return { authorUserId, role: m.role, content: m.content, companionId: m.companionId, createdAt: m.createdAt.toISOString() };
    }
  }
}

export interface FiledReport {
  id: string;
  targetKind: ReportTarget;
  targetId: string;
  status: ReportStatus;
  created: boolean;
  createdAt: Date;
}

const filedColumns = { id: reports.id, targetKind: reports.targetKind, targetId: reports.targetId, status: reports.status, createdAt: reports.createdAt };

/**
 * Files a report with a snapshot of the content as it is now. The same (reporter, target) twice is
 * one report: the first one is answered again (`created` false), its reason and snapshot kept.
 */
export async function fileReport(
  db: Database,
  params: { userId: string; targetKind: ReportTarget; targetId: string; reason: ReportReason; note?: string | undefined },
): Promise<FiledReport> {
  const snapshot = await snapshotOf(db, params.userId, params.targetKind, params.targetId);
  const [row] = await db
    .insert(reports)
    .values({ reporterId: params.userId, targetKind: params.targetKind, targetId: params.targetId, reason: params.reason, note: params.note || null, snapshot })
    .onConflictDoNothing({ target: [reports.reporterId, reports.targetKind, reports.targetId] })
    .returning(filedColumns);
  if (row) return { ...row, created: true };
  const [existing] = await db
    .select(filedColumns)
    .from(reports)
    .where(and(eq(reports.reporterId, params.userId), eq(reports.targetKind, params.targetKind), eq(reports.targetId, params.targetId)));
  if (!existing) throw new Error("report conflicted but is not there");
  return { ...existing, created: false };
}

export interface ReportRecord {
  id: string;
  reporterId: string | null;
  targetKind: ReportTarget;
  targetId: string;
  reason: ReportReason;
  note: string | null;
  snapshot: Record<string, unknown>;
  status: ReportStatus;
  createdAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
}

const reportColumns = {
  id: reports.id,
  reporterId: reports.reporterId,
  targetKind: reports.targetKind,
  targetId: reports.targetId,
  reason: reports.reason,
  note: reports.note,
  snapshot: reports.snapshot,
  status: reports.status,
  createdAt: reports.createdAt,
  resolvedAt: reports.resolvedAt,
  resolvedBy: reports.resolvedBy,
};

/** The queue, oldest first (reports_queue_idx), for operators. Service code. */
export async function listReports(db: Database, params: { status?: ReportStatus | undefined; limit: number }): Promise<ReportRecord[]> {
  return db
    .select(reportColumns)
    .from(reports)
    .where(params.status ? eq(reports.status, params.status) : undefined)
    .orderBy(asc(reports.createdAt), asc(reports.id))
    .limit(params.limit);
}

export type ReportAction = "dismiss" | "hide" | "ban";

export interface ResolvedReport {
  report: ReportRecord;
  /** Open reports on the same target closed with it (this one included). */
  resolvedReports: number;
  /** Rows given `hidden_at` by `hide` (stories, a companion, a message). */
  hidden: number;
  /** The account to ban (`ban`): the content's author; the caller disables it and revokes its sessions. */
  banUserId: string | null;
}

const STATUS_OF: Record<ReportAction, ReportStatus> = { dismiss: "dismissed", hide: "hidden", ban: "banned" };

/**
 * Resolves a report and every open report on the same target, in the caller's transaction.
 * `hide` sets `hidden_at` on the content (for a user: all their stories); `ban` hides nothing and
 * answers the author to ban. Service code; NOT_FOUND for an unknown report, BAD_REQUEST for a ban
 * of content that has no author account (a system companion's).
 */
export async function resolveReport(db: Database, params: { reportId: string; action: ReportAction; by: string }): Promise<ResolvedReport> {
  const [report] = await db.select(reportColumns).from(reports).where(eq(reports.id, params.reportId)).for("update");
  if (!report) throw notFound("Report");
  const authorUserId = typeof report.snapshot.authorUserId === "string" ? report.snapshot.authorUserId : null;
  if (params.action === "ban" && !authorUserId) {
    throw new DomainError("BAD_REQUEST", "This content has no author account to ban", { field: "action" });
  }
  let hidden = 0;
  if (params.action === "hide") hidden = await hideTarget(db, report.targetKind, report.targetId);
  const status = STATUS_OF[params.action];
  const closed = await db
    .update(reports)
    .set({ status, resolvedAt: sql`now()`, resolvedBy: params.by })
    .where(and(eq(reports.targetKind, report.targetKind), eq(reports.targetId, report.targetId), inArray(reports.status, ["open"])))
    .returning({ id: reports.id });
  const [after] = await db.select(reportColumns).from(reports).where(eq(reports.id, report.id));
  return { report: after ?? report, resolvedReports: closed.length, hidden, banUserId: params.action === "ban" ? authorUserId : null };
}

async function hideTarget(db: Database, kind: ReportTarget, id: string): Promise<number> {
  const now = sql`coalesce(hidden_at, now())`;
  switch (kind) {
    case "story":
      return (await db.update(stories).set({ hiddenAt: now }).where(eq(stories.id, id)).returning({ id: stories.id })).length;
    case "user":
      // A person is hidden through their stories; their account stays (ban disables it).
      return (await db.update(stories).set({ hiddenAt: now }).where(eq(stories.authorUserId, id)).returning({ id: stories.id })).length;
    case "companion":
      return (await db.update(companions).set({ hiddenAt: now }).where(eq(companions.id, id)).returning({ id: companions.id })).length;
    case "message":
      return (await db.update(messages).set({ hiddenAt: now }).where(eq(messages.id, id)).returning({ id: messages.id })).length;
  }
}
