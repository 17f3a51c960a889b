/**
 * The timed paths, each at page 1 and at the deep page, outermost first:
 *   api      packages/client → HTTP → tRPC → withUser → query functions (what an app sees);
 *   caller   the same procedure through createCaller: no HTTP, no client;
 *   scoped   the captured statements on the driver, inside BEGIN + the scope statement + COMMIT
 *            (the scope pipelined with the first statement, as withUser sends it);
 *   raw      the captured data statements alone, in a session that already is the user
 *            (role companion_app, RLS on, custom plans): the floor;
 *   norls    the same statements as the connection's superuser role: what RLS costs.
 * They run interleaved, in a new random order each round, so drift (GC, JIT, other load)
 * and whatever one call leaves to the next hit all alike. Every call must return a full
 * page, so the run doubles as a smoke test.
 */
import type { CompanionClient } from "@companion/client";
import type { createCaller } from "@companion/api";
import type { Backend, RawQuery, UserSession } from "./backends.ts";
import type { Sent } from "./capture.ts";
import type { Statement } from "./explain.ts";

interface Variant {
  /** Resolves to the number of items in the page. */
  run: () => Promise<number>;
  /** Untimed, around each run (PGlite's user session). */
  enter?: () => Promise<void>;
  exit?: () => Promise<void>;
  /** Items a run must return: the page limit unless the query has fewer matches (a rare word). */
  items?: number;
}

export interface VariantInputs {
  backend: Backend;
  user: UserSession;
  api: CompanionClient;
  /** The same GET the client sends, by plain fetch: what the client library itself costs. */
  http: { url: string; token: () => string };
  caller: ReturnType<typeof createCaller>;
  companionId: string;
  limit: number;
  cursors: { feed: string; messages: string };
  sent: Record<"feed.page1" | "feed.deep" | "messages.page1" | "messages.deep" | "search.mine" | "search.everyone" | "search.rare", Sent>;
}

/**
 * search.query, full-text, page 1: a word in every message of the bench user's 20k (many matches,
 * only the newest ranked), and one in every one of the million messages (the planner must not
 * fetch everyone's matches to keep the user's: docs/search.md), and a rare one: a single message
 * of the bench user's, older than the newest 1,000 of its conversation (found through GIN).
 */
export const SEARCHES = { mine: "reading", everyone: "day", rare: "conversation 1111" } as const;
const SEARCH_ITEMS: Partial<Record<keyof typeof SEARCHES, number>> = { rare: 1 };

// Heads, then the media of exactly those heads (their ids bound as one array, as the query function does).
export async function feedStatements(query: RawQuery, [heads, media]: Statement[], limit: number): Promise<number> {
  if (!heads || !media) throw new Error("feed: expected two statements");
  const rows = await query(heads.text, heads.params);
  const ids = rows.slice(0, limit).map((r) => r[0]);
  await query(media.text, media.params.map((p) => (Array.isArray(p) ? ids : p)));
  return Math.min(rows.length, limit);
}

export async function messagesStatement(query: RawQuery, [list]: Statement[], limit: number): Promise<number> {
  if (!list) throw new Error("messages: expected one statement");
  return Math.min((await query(list.text, list.params)).length, limit);
}

async function getJson(http: VariantInputs["http"], path: string, input: unknown): Promise<number> {
  const res = await fetch(`${http.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
    headers: { authorization: `Bearer ${http.token()}` },
  });
  const body = (await res.json()) as { result?: { data?: { items?: unknown[] } } };
  return body.result?.data?.items?.length ?? 0;
}

export function buildVariants(v: VariantInputs): Record<string, Variant> {
  const { backend, user, api, caller, companionId, limit } = v;
  // As withUser does it: the scope statement is not awaited before the first data statement
  // (on postgres.js both leave in one write).
  const inScope = (sent: Sent, statements: (q: RawQuery) => Promise<number>) =>
    backend.scopedRaw.transaction(async (query) => {
      const scoped = Promise.all(sent.scope.map((s) => query(s.text, s.params)));
      const [, items] = await Promise.all([scoped, statements(query)]);
      return items;
    });
  const asUser = { enter: () => user.enter(), exit: () => user.exit() };
  const variants: Record<string, Variant> = {};
  for (const page of ["page1", "deep"] as const) {
    const feed = v.sent[`feed.${page}`];
    const messages = v.sent[`messages.${page}`];
    const feedInput = { limit, cursor: page === "deep" ? v.cursors.feed : undefined };
    const messagesInput = { companionId, limit, cursor: page === "deep" ? v.cursors.messages : undefined };
    Object.assign(variants, {
      [`api.feed.${page}`]: { run: async () => (await api.stories.feed.query(feedInput)).items.length },
      [`http.feed.${page}`]: { run: () => getJson(v.http, "stories.feed", feedInput) },
      [`caller.feed.${page}`]: { run: async () => (await caller.stories.feed(feedInput)).items.length },
      [`scoped.feed.${page}`]: { run: () => inScope(feed, (q) => feedStatements(q, feed.data, limit)) },
      [`raw.feed.${page}`]: { run: () => feedStatements(user.query, feed.data, limit), ...asUser },
      [`norls.feed.${page}`]: { run: () => feedStatements(backend.raw.query, feed.data, limit) },
      [`api.messages.${page}`]: { run: async () => (await api.messages.list.query(messagesInput)).items.length },
      [`http.messages.${page}`]: { run: () => getJson(v.http, "messages.list", messagesInput) },
      [`caller.messages.${page}`]: { run: async () => (await caller.messages.list(messagesInput)).items.length },
      [`scoped.messages.${page}`]: { run: () => inScope(messages, (q) => messagesStatement(q, messages.data, limit)) },
      [`raw.messages.${page}`]: { run: () => messagesStatement(user.query, messages.data, limit), ...asUser },
      [`norls.messages.${page}`]: { run: () => messagesStatement(backend.raw.query, messages.data, limit) },
    } satisfies Record<string, Variant>);
  }
  for (const [name, q] of Object.entries(SEARCHES) as [keyof typeof SEARCHES, string][]) {
    const search = v.sent[`search.${name}`];
    Object.assign(variants, {
      [`api.search.${name}`]: { run: async () => (await api.search.query.query({ q, limit })).items.length, items: SEARCH_ITEMS[name] ?? limit },
      [`raw.search.${name}`]: { run: () => messagesStatement(user.query, search.data, limit), ...asUser, items: SEARCH_ITEMS[name] ?? limit },
    } satisfies Record<string, Variant>);
  }
  return variants;
}

/** `warmup` untimed rounds, then `iterations` timed ones; milliseconds per variant. */
export async function measure(variants: Record<string, Variant>, limit: number, warmup: number, iterations: number): Promise<Record<string, number[]>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const entries = Object.entries(variants);
  for (let round = 0; round < warmup + iterations; round++) {
    // A new order each round: whatever a call leaves behind (a GC debt, a cold cache line,
    // a pending timer) lands on a different successor each time, not always on the same one.
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [entries[i], entries[j]] = [entries[j] as (typeof entries)[number], entries[i] as (typeof entries)[number]];
    }
    for (const [name, variant] of entries) {
      await variant.enter?.();
      const started = performance.now();
      const items = await variant.run();
      const elapsed = performance.now() - started;
      await variant.exit?.();
      if (items !== (variant.items ?? limit)) throw new Error(`smoke check: ${name} returned ${items} items, expected ${variant.items ?? limit}`);
      if (round >= warmup) samples[name]?.push(elapsed);
    }
  }
  return samples;
}
