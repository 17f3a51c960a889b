// Setup: client, transactions, errors, environment, seed.
export * from "./schema/index.ts";
export type { Database, DatabaseConnection, DatabaseHandle, DatabaseKind } from "./types.ts";
export { JOB_SCHEMA, jobStatementsIn } from "./job-schema.ts";
export { openDatabase } from "./client.ts";
export { withUser } from "./transaction.ts";
export { decodeCursor, encodeCursor, encodeFeedCursor, type Page } from "./pagination.ts";
export { DataDirLockedError, lockDataDir } from "./lock.ts";
export {
  DATABASE_RETRY_AFTER_MS,
  DomainError,
  domainErrorOfDriverError,
  isDatabaseUnavailable,
  isUniqueViolation,
  isUserReferenceViolation,
  notFound,
  serviceUnavailable,
} from "./errors.ts";
export { describeError, logSerializers, redactMessage, serializeError } from "./error-log.ts";
export { dbEnvIssues, dbEnvShape, eventRetentionEnvShape, loadDotEnv, openConfiguredDatabase, QUOTA_MAX, quotaEnvShape, quotaLimitsFromEnv, resolveDataDir } from "./env.ts";
export {
  demoCompanions,
  renderDemoMedia,
  renderStoryCardSvg,
  seedDemoContent,
  STORY_CARD_HEIGHT,
  STORY_CARD_PALETTES,
  STORY_CARD_WIDTH,
  upsertCompanions,
  type CompanionSeed,
} from "./seed/index.ts";

// Queries, by domain (packages/validators/src/<domain>.ts, packages/api/src/router/<domain>.ts).
export {
  findUser,
  getUserSettings,
  insertUser,
  listUsers,
  setUserDisabled,
  updateUserSettings,
  userExists,
  type UserRef,
  type UserSettings,
  type UserSummary,
} from "./queries/users.ts";

export { currentRelationship } from "./relationship/model.ts";
export { getCompanion, listCompanions, listConnectedCompanions, type CompanionProfile, type CompanionWithRelationship } from "./queries/companions/profiles.ts";
export { connectCompanion, disconnectCompanion } from "./queries/companions/connections.ts";
export {
  COMPANION_DAILY_QUOTA,
  createCompanion,
  deleteCompanion,
  getOwnCompanion,
  listOwnCompanions,
  updateCompanion,
  type OwnCompanion,
} from "./queries/companions/authoring.ts";
export { loadPersonaPrivacy, type PersonaPrivacy } from "./queries/companions/privacy.ts";
export { getRelationship, recordInteraction, setProactiveEnabled, type RelationshipDetail, type RelationshipState } from "./queries/companions/relationships.ts";

export { getStory, listStoryFeed, type StoryRecord, type StoryVisibility } from "./queries/stories/feed.ts";
export { createUserStory, deleteUserStory, getMyStoryStats, type StoryStats } from "./queries/stories/authoring.ts";
export { deleteStoryReaction, upsertStoryReaction } from "./queries/stories/reactions.ts";
export { listStoryViewers, markStoryViewed, type StoryViewerRecord } from "./queries/stories/views.ts";
export { expireStories } from "./queries/stories/expiry.ts";
export { publishCompanionStory } from "./queries/stories/companion.ts";
export { findStoryForReply, loadPromptStory, type MessageStoryRef, type StoryReplyTarget } from "./queries/stories/replies.ts";
export {
  filterUnusedStoryMediaKeys,
  getCompanionPostingState,
  getCompanionStoryContext,
  listSystemCompanionsForStories,
  lockCompanionStoryPosting,
  type CompanionStoryContext,
} from "./queries/stories/companion-schedule.ts";
export {
  assertDraftOpen,
  countStoryDraftsSince,
  insertStoryDraft,
  listStoryDrafts,
  lockStoryDraft,
  lockStoryDraftQuota,
  updateStoryDraftStatus,
  type StoryDraftRecord,
} from "./queries/stories/drafts.ts";

export {
  blockUser,
  followUser,
  getUserProfile,
  listBlockedOrMuted,
  listFollowEdges,
  muteUser,
  unblockUser,
  unfollowUser,
  unmuteUser,
  type BlockedUserRecord,
  type FollowEdgeRecord,
  type UserProfileRecord,
} from "./queries/social.ts";

export {
  assertOwnedUploads,
  deleteUnreferencedMediaUploads,
  findCompanionAvatar,
  findLiveStorySlideMedia,
  getMediaUpload,
  insertMediaUpload,
  isStoredUpload,
  markMediaUploaded,
  type MediaUploadRow,
} from "./queries/media.ts";

export { createMemory, deleteMemory, listMemories, updateMemory, type Memory } from "./queries/memories/manual.ts";
export {
  applyAutoFacts,
  findExchangeForExtraction,
  listAutoMemoriesChangedSince,
  listMemoryCandidates,
  markMemoriesUsed,
  type AutoFact,
  type MemoryCandidate,
} from "./queries/memories/auto.ts";
export {
  countUnsummarizedTurns,
  getLatestSummary,
  getMySummary,
  insertSummary,
  listSummaries,
  listUnsummarizedTurns,
  type ConversationSummary,
} from "./queries/memories/summaries.ts";
export { searchFullText, type SearchHit } from "./queries/search.ts";
export { exchangeMessageIds, searchEmbeddingTablesExist, searchHybrid, textsToEmbed, upsertEmbeddings } from "./queries/search-hybrid.ts";

export { getInsightsOverview, getMoodHistory, type InsightsOverview } from "./queries/insights.ts";
export { computeDigestStats, digestExists, getDigest, insertDigest, listDigestCandidates, listDigests, type Digest } from "./queries/digests.ts";
export { findProactiveCandidates, isProactiveAllowed, loadProactiveContext, saveProactiveMessage } from "./queries/proactive.ts";

export {
  countUnreadNotifications,
  isKindMuted,
  listMutedKinds,
  listNotifications,
  markAllNotificationsRead,
  markNotificationsRead,
  setMutedKinds,
  type NotificationRecord,
} from "./queries/notifications/inbox.ts";
export {
  notifyStoryReply,
  raiseCompanionStoryNotifications,
  raiseFollowNotification,
  raiseStoryReactionNotification,
} from "./queries/notifications/raise.ts";
export {
  deletePushDevice,
  getNotificationForPush,
  getPushDevice,
  listPushDevices,
  registerPushDevice,
  unregisterPushDevice,
} from "./queries/notifications/devices.ts";

export {
  createNotification,
  emitEvents,
  EVENT_RETENTION_MS,
  EVENTS_CHANNEL,
  eventsSince,
  latestEventId,
  pruneEvents,
  prunedThroughEventId,
  type EventRecord,
  type NewEvent,
} from "./queries/events.ts";

// Messages, chat and AI call accounting.
export * from "./queries/messages/history.ts";
export * from "./queries/messages/exchange.ts";
export * from "./queries/companions/chat-persona.ts";
export * from "./queries/memories/prompt.ts";
export { listReplyAlternatives, type ReplyAlternative } from "./queries/messages/alternatives.ts";
export { deleteExchange, editLastMessage, regenerateReply, selectReplyAlternative } from "./queries/messages/controls.ts";
export { listConversations, markConversationRead, type Conversation } from "./queries/messages/conversations.ts";
export * from "./queries/stream-tickets.ts";
export * from "./queries/messages/process-leases.ts";
export * from "./queries/ai-calls.ts";

// Trust and safety (issue 16): the account's security log.
export { getQuotaUsage, setUserQuota, UNLIMITED_QUOTAS, type QuotaLimits, type QuotaUsage } from "./queries/account/quotas.ts";
export { fileReport, listReports, resolveReport, type ReportRecord } from "./queries/moderation.ts";
export { findUserLanguage } from "./queries/account/language.ts";
// The account (issue 16): deletion, data export, profile.
export { deleteAccountRows, listAccountFiles } from "./queries/account/deletion.ts";
export {
  buildAccountArchive,
  deleteDataExports,
  getDataExport,
  insertDataExport,
  isLiveDataExport,
  latestDataExport,
  listExpiredDataExports,
  markDataExportReady,
  type DataExportRecord,
} from "./queries/account/data-export.ts";
export { getProfile, updateProfile, type ProfileRecord } from "./queries/account/profile.ts";
export { insertOutboxMail, listOutboxMail, type OutboxMail } from "./queries/account/mail-outbox.ts";
export {
  listSecurityEvents,
  pruneSecurityLog,
  recordSecurityEvent,
  SECURITY_EVENT_RETENTION_MS,
  type SecurityEventInput,
  type SecurityEventKind,
  type SecurityEventRecord,
} from "./queries/account/security-events.ts";
export {
  SESSION_REVOCATIONS_CHANNEL,
  listLiveSessionRevocations,
  pruneSessionRevocations,
  recordSessionRevocations,
} from "./queries/account/session-revocations.ts";
