/** Daily quotas per person (docs/quotas.md): user:quota shows a person's usage and limits, and sets their overrides. */
import { findUser, getQuotaUsage, QUOTA_MAX, setUserQuota, type QuotaLimits, type QuotaUsage, type UserSummary } from "@companion/db";
import { z } from "zod";
import { CliError, defineCommand, EX_CONFIG, type Command } from "./command.ts";
import { quotaDefaults } from "./env.ts";
import { userArg, userRef } from "./user-commands.ts";

/** `N` (0: unlimited), `unlimited` (the same as 0) or `default` (the deployment's, from QUOTA_*): null. */
const limitFlag = z
  .string()
  .regex(/^(\d+|unlimited|default)$/, `must be a whole number from 0 to ${QUOTA_MAX} (0: unlimited), "unlimited" or "default"`)
  .transform((v) => (v === "default" ? null : v === "unlimited" ? 0 : Number(v)))
  .refine((v) => v === null || v <= QUOTA_MAX, `must be at most ${QUOTA_MAX}`);

interface QuotaReport {
  user: UserSummary;
  usage: QuotaUsage;
  defaults: QuotaLimits;
}

const shown = (limit: number | null) => (limit === null ? "unlimited" : String(limit));
const meter = (m: QuotaUsage["messages"], override: number | null, fallback: number) => ({
  used: m.used,
  limit: m.limit,
  /** This person's own limit (0: unlimited), or null when the deployment's default applies. */
  override,
  default: fallback,
});

export const quotaCommands: Record<string, Command> = {
  "user:quota": defineCommand({
    summary: "Show a person's usage today and their daily limits; --messages / --tokens set their own (N, 0 or unlimited, or default)",
    args: [userArg],
    options: {
      messages: { type: "string", value: "N|default", description: "messages to companions per day (0 or unlimited: no limit; default: QUOTA_MESSAGES_PER_DAY)" },
      tokens: { type: "string", value: "N|default", description: "model tokens (prompt + completion) per day (0 or unlimited: no limit; default: QUOTA_TOKENS_PER_DAY)" },
    },
    input: z.object({ args: z.tuple([userRef]), messages: limitFlag.optional(), tokens: limitFlag.optional() }),
    // The defaults are read (and a bad QUOTA_* refused) before the database opens.
    prepare: async (input) => {
      try {
        return { ...input, defaults: quotaDefaults() };
      } catch (err) {
        throw new CliError("CONFIG", (err as Error).message, EX_CONFIG);
      }
    },
    run: async (db, { args: [ref], messages, tokens, defaults }): Promise<QuotaReport> => {
      await db.migrate();
      const user = await findUser(db.db, ref);
      if (messages !== undefined || tokens !== undefined) await setUserQuota(db.db, { userId: user.id, messagesPerDay: messages, tokensPerDay: tokens });
      const usage = await getQuotaUsage(db.db, { userId: user.id, now: new Date(), defaults });
      if (!usage) throw new CliError("NOT_FOUND", "User not found", 1);
      return { user, usage, defaults };
    },
    json: ({ user, usage, defaults }) => ({
      userId: user.id,
      email: user.email,
      day: usage.day,
      timeZone: usage.timeZone,
      resetsAt: usage.resetsAt.toISOString(),
      messages: meter(usage.messages, usage.override.messagesPerDay, defaults.messagesPerDay),
      tokens: meter(usage.tokens, usage.override.tokensPerDay, defaults.tokensPerDay),
    }),
    human: ({ user, usage }) => [
      `${user.email} (${user.id}), ${usage.day} in ${usage.timeZone}, resets ${usage.resetsAt.toISOString()}`,
      `messages: ${usage.messages.used} of ${shown(usage.messages.limit)}${usage.override.messagesPerDay === null ? " (default)" : " (own limit)"}`,
      `tokens:   ${usage.tokens.used} of ${shown(usage.tokens.limit)}${usage.override.tokensPerDay === null ? " (default)" : " (own limit)"}`,
    ],
  }),
};
