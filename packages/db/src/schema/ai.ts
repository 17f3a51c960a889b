import { index, integer, numeric, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, pk } from "./columns.ts";
import { users } from "./users.ts";

/** One row per model call, for metrics, cost accounting and admin stats. */
export const aiCalls = pgTable(
  "ai_calls",
  {
    id: pk(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    provider: text("provider").notNull(),
    model: text("model").notNull(),
    purpose: text("purpose", { enum: ["chat", "sentiment", "summary", "embedding", "memory", "proactive", "digest", "story"] }).notNull(),
    outcome: text("outcome", { enum: ["ok", "timeout", "rate_limited", "server_error", "bad_request", "aborted", "circuit_open", "error"] }).notNull(),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    latencyMs: integer("latency_ms").notNull(),
    costUsd: numeric("cost_usd", { precision: 12, scale: 6 }).notNull().default("0"),
    createdAt: createdAt(),
  },
  (t) => [
    index("ai_calls_created_idx").on(t.createdAt),
    index("ai_calls_provider_idx").on(t.provider, t.createdAt),
    // The daily token quota sums a person's calls since their day began (docs/quotas.md).
    index("ai_calls_user_created_idx").on(t.userId, t.createdAt),
  ],
);
