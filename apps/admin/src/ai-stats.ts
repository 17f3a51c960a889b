import type { AiCallStats } from "@companion/db";

/** The widest window `ai:stats --days` accepts. */
export const MAX_DAYS = 3650;

const HEADERS = ["provider", "model", "calls", "outcomes", "prompt tok", "completion tok", "p50 ms", "p95 ms", "cost USD"];
const RIGHT_ALIGNED = new Set([2, 4, 5, 6, 7, 8]);

/** A plain-text table, one row per provider and model, plus a total line. */
export function formatAiStats(rows: readonly AiCallStats[], window: { since: Date; days: number }): string[] {
  const header = `AI calls in the last ${window.days} day(s), since ${window.since.toISOString()}`;
  if (rows.length === 0) return [header, "no calls recorded"];
  const cells = rows.map((r) => [
    r.provider,
    r.model,
    String(r.calls),
    Object.entries(r.outcomes)
      .sort(([, a], [, b]) => (b ?? 0) - (a ?? 0))
      .map(([outcome, n]) => `${outcome} ${n ?? 0}`)
      .join(", "),
    String(r.promptTokens),
    String(r.completionTokens),
    r.p50LatencyMs.toFixed(0),
    r.p95LatencyMs.toFixed(0),
    r.costUsd.toFixed(4),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (RIGHT_ALIGNED.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join("  ").trimEnd();
  const total = rows.reduce((sum, r) => ({ calls: sum.calls + r.calls, cost: sum.cost + r.costUsd }), { calls: 0, cost: 0 });
  return [header, line(HEADERS), ...cells.map(line), `total: ${total.calls} call(s), ${total.cost.toFixed(4)} USD`];
}
