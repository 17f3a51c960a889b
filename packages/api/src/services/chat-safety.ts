/**
 * The safety check of the chat (docs/safety.md): every person's message before it is stored,
 * every companion reply before it is shown or stored.
 *
 * - A message: the offline classifier, then (a model configured) the moderation endpoint under
 *   its timeout; the union of both decides (policy.ts). Refused: SAFETY_REFUSED, a
 *   `safety_refused` security event (the category only), nothing stored. Self-harm: stored
 *   flagged, and answered with the crisis reply, never by the model.
 * - A streamed reply: held back sentence by sentence and checked offline before each release;
 *   at its end the whole reply is checked remotely before `done` and the save. A reply stopped
 *   either way is replaced: a `fallback` (reason "safety", discardPartial) and the safe reply.
 */
import {
  classifyMessageOffline,
  classifyReplyOffline,
  createSentenceGuard,
  crisisReply,
  messageVerdict,
  replyVerdict,
  safeReply,
  type ChainStreamEvent,
  type MessageVerdict,
  type Moderate,
  type SafetyCategory,
  type SafetyPolicy,
} from "@companion/ai";
import { findUserLanguage, recordSecurityEvent, withUser, type Database } from "@companion/db";
import { DomainError } from "@companion/errors";
import type { ServiceLogger } from "./background.ts";

/** What the reply stream carries once checked: a `fallback` may now be the check's (reason "safety"). */
type SafeStreamEvent =
  | { type: "token"; text: string }
  | { type: "fallback"; from: string; to: string; reason: string; discardPartial: boolean }
  | { type: "done"; text: string; provider: string; model: string; flagged: SafetyCategory | null }
  | { type: "aborted"; text: string; flagged: SafetyCategory | null };

export interface ChatSafety {
  /** Whether the moderation endpoint is asked (else the offline classifier alone). */
  readonly remote: boolean;
  /** A person's message before it is stored: its verdict, or SAFETY_REFUSED (recorded as a security event). */
  checkMessage(userId: string, content: string): Promise<Exclude<MessageVerdict, { action: "refuse" }>>;
  /** A message stored earlier, answered now (a takeover, a regenerate): its verdict, never a refusal. */
  recheckMessage(content: string): Promise<MessageVerdict>;
  /** The companion's crisis reply in the person's language. */
  crisisReply(userId: string): Promise<string>;
  /** A whole reply (messages.send): as it may be shown and stored. */
  checkReply(userId: string, text: string): Promise<{ text: string; flagged: SafetyCategory | null }>;
  /** A streaming reply, held back and checked (see above). */
  guardStream(userId: string, events: AsyncIterable<ChainStreamEvent>): AsyncGenerator<SafeStreamEvent>;
}

export interface ChatSafetyOptions {
  db: Database;
  policy: SafetyPolicy;
  /** The moderation endpoint (createModeration); absent: offline only. */
  moderate?: Moderate | undefined;
  log: ServiceLogger;
}

const union = (a: readonly SafetyCategory[], b: readonly SafetyCategory[] | null) => [...new Set([...a, ...(b ?? [])])];

export function createChatSafety(options: ChatSafetyOptions): ChatSafety {
  const { db, policy, moderate, log } = options;

  /** Offline first; the remote check only when the offline one did not already refuse. */
  async function classify(text: string, offline: (text: string) => SafetyCategory[]): Promise<SafetyCategory[]> {
    const found = offline(text);
    if (!moderate || found.includes("sexual_minors")) return found;
    return union(found, await moderate(text));
  }

  const language = (userId: string) => withUser(db, userId, (tx) => findUserLanguage(tx, { userId })).catch(() => "en");

  /** Service code, outside the user scope (RLS lets no user write their own security log). */
  async function refused(userId: string, category: SafetyCategory, source: "message" | "reply"): Promise<void> {
    await recordSecurityEvent(db, { userId, kind: "safety_refused", detail: { category, source } }).catch((err: unknown) =>
      log.error({ err }, "recording a safety_refused event failed"),
    );
  }

  /** The reply that replaces one the check stopped: the crisis reply for self-harm, the safe reply otherwise. */
  async function replacement(userId: string, category: SafetyCategory): Promise<string> {
    const lang = await language(userId);
    if (category === "sexual_minors") await refused(userId, category, "reply");
    return category === "self_harm" ? crisisReply(lang) : safeReply(lang);
  }

  return {
    remote: moderate !== undefined,

    async checkMessage(userId, content) {
      const verdict = messageVerdict(await classify(content, classifyMessageOffline), policy);
      if (verdict.action !== "refuse") return verdict;
      await refused(userId, verdict.category, "message");
      throw new DomainError("SAFETY_REFUSED", "This message cannot be sent", { category: verdict.category });
    },

    recheckMessage: async (content) => messageVerdict(await classify(content, classifyMessageOffline), policy),

    crisisReply: async (userId) => crisisReply(await language(userId)),

    async checkReply(userId, text) {
      const verdict = replyVerdict(await classify(text, classifyReplyOffline), policy);
      if (verdict.action === "allow") return { text, flagged: null };
      if (verdict.action === "flag") return { text, flagged: verdict.category };
      return { text: await replacement(userId, verdict.category), flagged: verdict.category };
    },

    async *guardStream(userId, events) {
      const blocks = (text: string): SafetyCategory | null => {
        const verdict = replyVerdict(classifyReplyOffline(text), policy);
        return verdict.action === "replace" ? verdict.category : null;
      };
      const guard = createSentenceGuard(blocks);
      let shown = "";
      let from = "model";
      /** Set once the check stopped the reply: the replacement was shown, the model's words are dropped. */
      const state: { replaced: { category: SafetyCategory; text: string } | null } = { replaced: null };
      // The replacement is shown at once; the model's stream is drained (its call recorded) and ignored.
      async function* replace(category: SafetyCategory): AsyncGenerator<SafeStreamEvent> {
        const text = await replacement(userId, category);
        state.replaced = { category, text };
        yield { type: "fallback", from, to: "safety", reason: "safety", discardPartial: true };
        yield { type: "token", text };
      }
      for await (const event of events) {
        if (event.type === "token") {
          if (state.replaced) continue;
          const step = guard.push(event.text);
          if ("blocked" in step) yield* replace(step.blocked);
          else if (step.release !== "") {
            shown += step.release;
            yield { type: "token", text: step.release };
          }
        } else if (event.type === "fallback") {
          if (state.replaced) continue;
          from = event.to;
          if (event.discardPartial) {
            guard.reset();
            shown = "";
          }
          yield event;
        } else if (event.type === "aborted") {
          // What was shown, all of it checked; the held-back rest was never seen.
          const r = state.replaced;
          yield r ? { type: "aborted", text: r.text, flagged: r.category } : { type: "aborted", text: shown, flagged: null };
          return;
        } else {
          let flagged: SafetyCategory | null = null;
          if (!state.replaced) {
            from = event.provider;
            const step = guard.end();
            if ("blocked" in step) yield* replace(step.blocked);
            else {
              shown += step.release;
              if (step.release !== "") yield { type: "token", text: step.release };
            }
          }
          if (!state.replaced) {
            // The whole reply, remotely, before it is saved: what is stored passed both checks.
            const verdict = replyVerdict(await classify(shown, classifyReplyOffline), policy);
            if (verdict.action === "replace") yield* replace(verdict.category);
            else if (verdict.action === "flag") flagged = verdict.category;
          }
          const r = state.replaced;
          yield r
            ? { type: "done", text: r.text, provider: event.provider, model: event.model, flagged: r.category }
            : { type: "done", text: shown, provider: event.provider, model: event.model, flagged };
          return;
        }
      }
    },
  };
}
