/** Latency summaries and the printed table of the hot-path benchmark. */

export interface Summary {
  n: number;
  mean: number;
  p50: number;
  p99: number;
}

/** Nearest-rank percentile: with n = 200, p99 is the 2nd slowest sample, not an interpolation. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export function summarize(samples: readonly number[]): Summary {
  return {
    n: samples.length,
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
  };
}

/** The figures of one backend, as printed and as written by `--json`. */
export interface BackendResult {
  backend: "pglite" | "postgres";
  scale: "full" | "small";
  deepPage: number;
  limit: number;
  seedMs: number;
  /** 1, 5 and 15 minute load averages when timing started: a 2-core machine shared with test runs. */
  loadAverage: string;
  volumes: Record<string, number>;
  /** Keyed like `api.feed.page1`, `raw.messages.deep`. */
  timings: Record<string, Summary>;
  ratios: {
    feedDeepOverFirst: number;
    messagesDeepOverFirst: number;
    feedApiOverRaw: number;
    messagesApiOverRaw: number;
    /** What Row Level Security costs the statements themselves (planning and execution). */
    feedRawOverNoRls: number;
    messagesRawOverNoRls: number;
  };
  search: { q: Record<string, string> };
}

const TARGETS = { deepOverFirst: 1.2, feedApiOverRaw: 2, searchP50Ms: 20 } as const;

const ms = (n: number) => n.toFixed(2).padStart(8);
const ratio = (n: number, target?: number) => `${n.toFixed(2)}${target === undefined ? "" : n <= target ? `  (target ≤ ${target}: met)` : `  (target ≤ ${target}: MISSED)`}`;

export function printBackend(r: BackendResult): void {
  const what: Record<string, string> = {
    api: "over HTTP through packages/client",
    http: "the same GET by plain fetch (no client library)",
    caller: "the procedure through createCaller (no HTTP, no client)",
    scoped: "its statements on the driver in BEGIN + user scope + COMMIT",
    raw: "its statements alone, in a session that is the user (RLS on): the floor",
    norls: "its statements as the superuser (RLS off)",
  };
  const rows = ["feed", "messages"].flatMap((op) => Object.keys(what).map((path) => [op, path] as const));
  console.log(`\n${r.backend} (${r.scale} scale, seeded in ${(r.seedMs / 1000).toFixed(1)} s; limit ${r.limit}, deep page = page ${r.deepPage}; load average ${r.loadAverage})`);
  console.log(`  volumes: ${Object.entries(r.volumes).map(([k, v]) => `${k} ${v.toLocaleString("en-US")}`).join(", ")}`);
  console.log(`  ${"path".padEnd(22)} ${"page".padEnd(9)} ${"n".padStart(5)} ${"mean ms".padStart(8)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)}   what`);
  for (const [op, path] of rows) {
    for (const page of ["page1", "deep"] as const) {
      const s = r.timings[`${path}.${op}.${page}`];
      if (!s) continue;
      const label = page === "page1" ? "page 1" : `page ${r.deepPage}`;
      const name = `${op === "feed" ? "stories.feed" : "messages.list"} ${path}`;
      console.log(`  ${name.padEnd(22)} ${label.padEnd(9)} ${String(s.n).padStart(5)} ${ms(s.mean)} ${ms(s.p50)} ${ms(s.p99)}   ${page === "page1" ? what[path] : ""}`);
    }
  }
  console.log(`  page ${r.deepPage} / page 1, API p50:  feed ${ratio(r.ratios.feedDeepOverFirst, TARGETS.deepOverFirst)}`);
  console.log(`  ${"".padEnd(24)}messages ${ratio(r.ratios.messagesDeepOverFirst, TARGETS.deepOverFirst)}`);
  console.log(`  API p50 / raw p50, page 1: feed ${ratio(r.ratios.feedApiOverRaw, TARGETS.feedApiOverRaw)}`);
  console.log(`  ${"".padEnd(24)}messages ${ratio(r.ratios.messagesApiOverRaw)}`);
  console.log(`  raw p50 / norls p50 (RLS), page 1: feed ${ratio(r.ratios.feedRawOverNoRls)}, messages ${ratio(r.ratios.messagesRawOverNoRls)}`);
  for (const [name, q] of Object.entries(r.search.q)) {
    for (const path of ["api", "raw"] as const) {
      const s = r.timings[`${path}.search.${name}`];
      if (!s) continue;
      // The issue's target is for Postgres; PGlite's figure is printed for comparison.
      const verdict = r.backend !== "postgres" ? "" : s.p50 < TARGETS.searchP50Ms ? `  (target < ${TARGETS.searchP50Ms} ms p50 on Postgres: met)` : `  (target < ${TARGETS.searchP50Ms} ms p50 on Postgres: MISSED)`;
      console.log(`  ${`search.query ${path}`.padEnd(22)} ${`"${q}"`.padEnd(20)} ${String(s.n).padStart(5)} ${ms(s.mean)} ${ms(s.p50)} ${ms(s.p99)}   full-text, page 1${verdict}`);
    }
  }
}
