/**
 * `--explain`: EXPLAIN (ANALYZE, BUFFERS) of the hot statements exactly as captured, under
 * the bench user's scope (the captured set_config: role companion_app, RLS on), once as a
 * custom plan and once as the generic plan a prepared statement may switch to after five
 * executions. This is where docs/query-plans.md's benchmark-scale plans come from.
 */
import type { RawDriver } from "./backends.ts";

export interface Statement {
  text: string;
  params: unknown[];
}

const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const literal = (v: unknown): string =>
  Array.isArray(v) ? quote(`{${v.map(String).join(",")}}`) : typeof v === "number" ? String(v) : quote(String(v));

export async function explainStatement(raw: RawDriver, scope: Statement[], statement: Statement, mode: "custom" | "generic"): Promise<string> {
  const name = `bench_explain_${mode}`;
  return raw.transaction(async (query) => {
    for (const s of scope) await query(s.text, s.params);
    await query(`set local plan_cache_mode = force_${mode}_plan`);
    await query(`prepare ${name} as ${statement.text}`);
    const explain = `explain (analyze, buffers, costs off) execute ${name}(${statement.params.map(literal).join(", ")})`;
    // The first run warms the caches; show the second.
    await query(explain);
    const rows = await query(explain);
    await query(`deallocate ${name}`);
    return rows.map((r) => String(r[0])).join("\n");
  });
}
