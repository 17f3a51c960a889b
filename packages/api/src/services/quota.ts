/**
 * Daily quotas on what costs money (docs/quotas.md). Past a person's limit the companion still
 * answers, through the offline persona and without a model call, and the answer says so
 * (`degraded: "quota"`); background model calls for them take their offline paths. Never an
 * error mid-conversation.
 */
import { createChatChain, createOfflinePersona, type ChatChain } from "@companion/ai";
import { getQuotaUsage, type Database, type QuotaLimits, type QuotaUsage } from "@companion/db";

/** Why a reply did not come from the model, when that was our choice. */
export type Degraded = "quota";

/**
 * The model name of a reply written past a quota (messages.model, provider "offline"): how a
 * retried send or a late subscriber still learns it was degraded.
 */
const QUOTA_MODEL = "persona-quota";

/**
 * For the message being answered, which is saved (and counted) first: more than `limit`
 * messages today, or today's tokens at or past their limit.
 */
export function chatDegraded(usage: QuotaUsage | null): Degraded | null {
  if (!usage) return null;
  const { messages, tokens } = usage;
  if (messages.limit !== null && messages.used > messages.limit) return "quota";
  if (tokens.limit !== null && tokens.used >= tokens.limit) return "quota";
  return null;
}

/** Whether my next message would be answered offline (insights.usage `spent`): it would be one more message. */
export const nextMessageDegraded = (usage: QuotaUsage): Degraded | null =>
  chatDegraded({ ...usage, messages: { used: usage.messages.used + 1, limit: usage.messages.limit } });

/** A stored reply's `degraded`, for the wire. */
export const degradedOf = (reply: { model: string | null }): Degraded | null => (reply.model === QUOTA_MODEL ? "quota" : null);

/**
 * The offline persona alone, recording nothing: a reply past the quota costs nothing and adds
 * no ai_calls row. One per chat service, like the model chain.
 */
export function createQuotaChain(): ChatChain {
  const offline = createOfflinePersona();
  return createChatChain({ providers: [], offline: { ...offline, model: QUOTA_MODEL } });
}

/**
 * Before a background model call for a person (sentiment, memory extraction, summary,
 * proactive message, digest letter): whether they are within their limits today, as the chat
 * path decides for a message already counted (chatDegraded). The caller takes its offline path
 * otherwise, so a message answered offline is not followed by model calls about it either.
 */
export async function withinQuota(db: Database, limits: QuotaLimits | undefined, userId: string, now = new Date()): Promise<boolean> {
  // Without configured quotas (a test, a script) nothing is checked; with them, even an unlimited
  // default is, since a person's override may still limit them.
  if (!limits) return true;
  return chatDegraded(await getQuotaUsage(db, { userId, now, defaults: limits })) === null;
}
