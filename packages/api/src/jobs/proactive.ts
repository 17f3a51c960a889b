/**
 * Companions writing first (docs/proactive.md): the sweep finds who has been away long enough,
 * the send writes the text (model, else offline lines) and saves it only if every guardrail
 * still allows it, under the person's lock.
 */
import { buildProactivePrompt, classifyReplyOffline, cleanProactiveText, offlineProactiveMessage, type ProactiveContext } from "@companion/ai";
import { findProactiveCandidates, insertAiCalls, isProactiveAllowed, loadProactiveContext, saveProactiveMessage, type Database } from "@companion/db";
import type { AiCallPayload, JobHandlers } from "@companion/jobs";
import { personaGuard } from "../services/chat-guard.ts";
import { withinQuota } from "../services/quota.ts";
import type { JobDeps } from "./deps.ts";

const toRows = (calls: readonly AiCallPayload[]) => calls.map(({ at, ...call }) => ({ ...call, at: new Date(at) }));

/** Pairs read and enqueued per transaction of the sweep. */
const SWEEP_BATCH = 500;

/**
 * The first message's text: the model's when one is configured and its answer is usable (not
 * empty, not too long), else the offline line. A model that is down costs the message nothing:
 * it goes out with the offline text (docs/proactive.md, "Text"). So does a text that quotes the
 * persona to someone other than the companion's owner, and one the offline safety check stops
 * (docs/safety.md: a companion never encourages harm).
 */
async function writeProactiveText(
  chat: JobDeps["chat"],
  db: Database,
  { userId, companionId }: { userId: string; companionId: string },
  context: ProactiveContext & { recentTurns: { role: "user" | "assistant"; content: string }[] },
  signal: AbortSignal,
): Promise<{ text: string; method: "model" | "template" }> {
  const offline = () => ({ text: offlineProactiveMessage(context), method: "template" as const });
  // No model, or the person is past their daily quota (docs/quotas.md): the offline line.
  if (chat.sentiment !== "model" || !(await withinQuota(db, chat.quotas, userId))) return offline();
  // Written from the persona: a text that quotes it goes to nobody but the owner (docs/anti-leak.md).
  const guard = await personaGuard(db, companionId, userId);
  const scope = chat.calls.scope(userId);
  try {
    const result = await chat.chain.complete({ purpose: "proactive", messages: buildProactivePrompt(context), maxTokens: 160, temperature: 0.8, tag: scope, signal });
    const text = cleanProactiveText(result.text);
    return text && guard(text) === text && classifyReplyOffline(text).length === 0 ? { text, method: "model" } : offline();
  } catch (err) {
    // The job's own timeout is not the model's failure: let the job be retried.
    if (signal.aborted) throw err;
    return offline();
  } finally {
    await insertAiCalls(db, toRows(scope.calls));
  }
}

export function proactiveHandlers({ db, queue, chat, proactive }: JobDeps): JobHandlers {
  const enqueuePush = async (tx: Database, notificationId: string) => {
    await queue.enqueue(tx, "notifications.push", { notificationId });
  };
  return {
    "proactive.sweep": async ({ at }) => {
      const now = at ? new Date(at) : new Date();
      const day = now.toISOString().slice(0, 10);
      let after: { userId: string; companionId: string } | undefined;
      let scanned = 0;
      let enqueued = 0;
      while (scanned < proactive.sweepLimit) {
        const limit = Math.min(SWEEP_BATCH, proactive.sweepLimit - scanned);
        const rows = await findProactiveCandidates(db, { at: now, limits: proactive, after, limit });
        const allowed = rows.filter((r) => r.allowed);
        if (allowed.length > 0) {
          await db.transaction(async (tx) => {
            for (const { userId, companionId } of allowed) {
              // One waiting send per pair and day: a sweep that runs again before it ran adds nothing.
              const id = await queue.enqueue(tx, "proactive.send", { userId, companionId, ...(at ? { at } : {}) }, { singletonKey: `proactive:${userId}:${companionId}:${day}` });
              if (id) enqueued++;
            }
          });
        }
        scanned += rows.length;
        const last = rows[rows.length - 1];
        if (!last || rows.length < limit) break;
        after = { userId: last.userId, companionId: last.companionId };
      }
      return { scanned, enqueued };
    },

    "proactive.send": async ({ userId, companionId, at }, { signal }) => {
      const now = at ? new Date(at) : new Date();
      // Checked first so that no model call is made for a pair that may not be written to;
      // checked again, under locks, when the message is saved.
      if (!(await isProactiveAllowed(db, { userId, companionId, at: now, limits: proactive }))) return { skipped: 1 };
      const context = await loadProactiveContext(db, { userId, companionId });
      if (!context) return { skipped: 1 };
      const { text, method } = await writeProactiveText(
        chat,
        db,
        { userId, companionId },
        {
          persona: { name: context.companionName, traits: context.traits, systemPrompt: context.systemPrompt, speakingStyle: context.speakingStyle },
          mood: context.mood,
          memories: context.memories,
          recentTurns: context.recentTurns,
        },
        signal,
      );
      const saved = await saveProactiveMessage(db, { userId, companionId, content: text, at: now, limits: proactive, onCreated: enqueuePush });
      if (!saved) return { skipped: 1 };
      return { sent: 1, [method]: 1 };
    },
  };
}
