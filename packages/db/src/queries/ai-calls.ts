import { and, eq, gte, sql } from "drizzle-orm";
import { aiCalls } from "../schema/index.ts";
import type { Database } from "../types.ts";

export type AiCallPurpose = (typeof aiCalls.purpose.enumValues)[number];
type AiCallOutcome = (typeof aiCalls.outcome.enumValues)[number];

export interface AiCallInput {
  /** Set by the recorder, so that recording the same call twice (a job run again) stores it once. */
  id?: string;
  /** When the call ended; default now. */
  at?: Date;
  /** Null for calls made on no user's behalf (jobs). */
  userId: string | null;
  provider: string;
  model: string;
  purpose: AiCallPurpose;
  outcome: AiCallOutcome;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  costUsd: number;
}

/**
 * Records model calls, many rows in one statement. Accounting is service work, not a user
 * request: run it outside `withUser` (the service role may write any user's rows; under
 * `withUser` every row would have to belong to that one user).
 */
export async function insertAiCalls(db: Database, calls: readonly AiCallInput[]): Promise<void> {
  if (calls.length === 0) return;
  await db.insert(aiCalls).values(
    calls.map((call) => ({
      ...(call.id ? { id: call.id } : {}),
      ...(call.at ? { createdAt: call.at } : {}),
      userId: call.userId,
      provider: call.provider,
      model: call.model,
      purpose: call.purpose,
      outcome: call.outcome,
      promptTokens: Math.max(0, Math.round(call.promptTokens)),
      completionTokens: Math.max(0, Math.round(call.completionTokens)),
      latencyMs: Math.max(0, Math.round(call.latencyMs)),
      // numeric(12, 6): a fixed-point string keeps the sub-cent digits exact.
      costUsd: call.costUsd.toFixed(6),
    })),
  ).onConflictDoNothing({ target: aiCalls.id });
}

export interface AiCallStats {
  provider: string;
  model: string;
  calls: number;
  /** Calls per outcome; outcomes that did not occur are absent. */
  outcomes: Partial<Record<AiCallOutcome, number>>;
  promptTokens: number;
  completionTokens: number;
  p50LatencyMs: number;
  p95LatencyMs: number;
  costUsd: number;
}

/**
 * Per provider and model since `since`: call count, outcomes, tokens, latency percentiles
 * and estimated cost, most-called first. Service code (admin CLI, metrics), not a request:
 * run it outside `withUser`, which would narrow it to one user's calls.
 */
export async function aiCallStats(db: Database, params: { since: Date; purpose?: AiCallPurpose }): Promise<AiCallStats[]> {
  const where = and(gte(aiCalls.createdAt, params.since), params.purpose ? eq(aiCalls.purpose, params.purpose) : undefined);
  const [totals, outcomes] = await Promise.all([
    db
      .select({
        provider: aiCalls.provider,
        model: aiCalls.model,
        calls: sql<number>`count(*)::int`,
        promptTokens: sql<number>`coalesce(sum(${aiCalls.promptTokens}), 0)::float8`.mapWith(Number),
        completionTokens: sql<number>`coalesce(sum(${aiCalls.completionTokens}), 0)::float8`.mapWith(Number),
        p50LatencyMs: sql<number>`percentile_cont(0.5) within group (order by ${aiCalls.latencyMs})::float8`.mapWith(Number),
        p95LatencyMs: sql<number>`percentile_cont(0.95) within group (order by ${aiCalls.latencyMs})::float8`.mapWith(Number),
        costUsd: sql<number>`coalesce(sum(${aiCalls.costUsd}), 0)::float8`.mapWith(Number),
      })
      .from(aiCalls)
      .where(where)
      .groupBy(aiCalls.provider, aiCalls.model),
    db
      .select({ provider: aiCalls.provider, model: aiCalls.model, outcome: aiCalls.outcome, calls: sql<number>`count(*)::int` })
      .from(aiCalls)
      .where(where)
      .groupBy(aiCalls.provider, aiCalls.model, aiCalls.outcome),
  ]);
  const key = (r: { provider: string; model: string }) => `${r.provider}\u0000${r.model}`;
  const byKey = new Map<string, Partial<Record<AiCallOutcome, number>>>();
  for (const row of outcomes) {
    const entry = byKey.get(key(row)) ?? {};
    entry[row.outcome] = row.calls;
    byKey.set(key(row), entry);
  }
  return totals
    .map((t) => ({ ...t, outcomes: byKey.get(key(t)) ?? {} }))
    .sort((a, b) => b.calls - a.calls || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model));
}
