/**
 * Weekly digests (docs/insights.md): the sweep enqueues one build per pair that talked in the
 * week; the build computes the numbers, has the letter written (model, else the template) and
 * stores the digest once, with its `digest_ready` notification.
 */
import { buildDigestPrompt, DIGEST_LETTER_SCHEMA, offlineDigestLetter, parseDigestLetter } from "@companion/ai";
import { computeDigestStats, digestExists, insertAiCalls, insertDigest, listDigestCandidates, type Database } from "@companion/db";
import { PermanentJobError, type AiCallPayload, type JobHandlers } from "@companion/jobs";
import { isoWeek, isoWeekOf, isoWeekStart } from "@companion/validators";
import { personaGuard } from "../services/chat-guard.ts";
import { withinQuota } from "../services/quota.ts";
import type { JobDeps } from "./deps.ts";

const toRows = (calls: readonly AiCallPayload[]) => calls.map(({ at, ...call }) => ({ ...call, at: new Date(at) }));

const DAY_MS = 86_400_000;
/** Pairs read and enqueued per transaction; a run stops after SWEEP_RUN_MAX and continues in a follow-up sweep. */
const SWEEP_BATCH = 500;
const SWEEP_RUN_MAX = 5_000;

function checkedWeek(week: string): string {
  if (!isoWeek.safeParse(week).success) throw new PermanentJobError(`no such ISO week: ${week}`);
  return week;
}

export function digestHandlers({ db, queue, chat }: JobDeps): JobHandlers {
  const enqueuePush = async (tx: Database, notificationId: string) => {
    await queue.enqueue(tx, "notifications.push", { notificationId });
  };
  return {
    "digests.sweep": async ({ week, after }) => {
      // Default: the ISO week that ended before today (UTC).
      const target = checkedWeek(week ?? isoWeekOf(new Date(Date.now() - 7 * DAY_MS)));
      const weekStart = isoWeekStart(target);
      let cursor = after;
      let enqueued = 0;
      let scanned = 0;
      for (;;) {
        const rows = await listDigestCandidates(db, { weekStart, after: cursor, limit: SWEEP_BATCH });
        await db.transaction(async (tx) => {
          for (const { userId, companionId } of rows) {
            const id = await queue.enqueue(tx, "digests.build", { userId, companionId, week: target }, { singletonKey: `digest:${userId}:${companionId}:${target}` });
            if (id) enqueued++;
          }
        });
        scanned += rows.length;
        const last = rows[rows.length - 1];
        if (!last || rows.length < SWEEP_BATCH) break;
        cursor = { userId: last.userId, companionId: last.companionId };
        if (scanned >= SWEEP_RUN_MAX) {
          // Bounded run: the rest of the week's pairs go to a follow-up sweep from here.
          await queue.send("digests.sweep", { week: target, after: cursor });
          break;
        }
      }
      return { scanned, enqueued };
    },

    "digests.build": async ({ userId, companionId, week }, { signal }) => {
      const target = checkedWeek(week);
      // Built already (a retried or duplicate job): no second letter, no model call.
      if (await digestExists(db, { userId, companionId, week: target })) return { skipped: 1 };
      const weekStart = isoWeekStart(target);
      const inputs = await computeDigestStats(db, { userId, companionId, weekStart });
      if (!inputs) return { skipped: 1 };
      const context = { companionName: inputs.companionName, traits: inputs.traits, personName: inputs.personName, stats: { week: target, ...inputs.stats } };
      let letter: string | null = null;
      // Past the person's daily quota: the template letter (docs/quotas.md).
      if (chat.sentiment === "model" && (await withinQuota(db, chat.quotas, userId))) {
        // Its prompt holds no persona text, but a model may know it anyway: only the owner reads it (docs/anti-leak.md).
        const guard = await personaGuard(db, companionId, userId);
        const scope = chat.calls.scope(userId);
        try {
          const result = await chat.chain.complete({
            purpose: "digest",
            messages: buildDigestPrompt(context),
            maxTokens: 500,
            responseFormat: { type: "json_schema", name: "digest_letter", schema: DIGEST_LETTER_SCHEMA },
            tag: scope,
            signal,
          });
          const parsed = parseDigestLetter(result.text);
          letter = parsed === null ? null : guard(parsed);
        } catch (err) {
          if (signal.aborted) throw err;
          // The model is down: the template letter, rather than no digest this week.
        } finally {
          await insertAiCalls(db, toRows(scope.calls));
        }
      }
      const method = letter === null ? "template" : "model";
      const saved = await insertDigest(db, {
        userId,
        companionId,
        companionName: inputs.companionName,
        week: target,
        weekStart,
        stats: inputs.stats,
        letter: letter ?? offlineDigestLetter(context),
        method,
        onCreated: enqueuePush,
      });
      return saved ? { built: 1, [method]: 1 } : { skipped: 1 };
    },
  };
}
