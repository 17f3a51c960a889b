/**
 * What the benchmark replays and where it starts: the statements the query functions send
 * (recorded from a Drizzle logger, so the raw figures run exactly the SQL the server runs),
 * and the keyset cursors of the deep page, computed in SQL rather than by walking pages.
 */
import { encodeCursor, encodeFeedCursor } from "@companion/db";
import type { Logger } from "drizzle-orm/logger";
import type { RawDriver } from "./backends.ts";
import type { Statement } from "./explain.ts";
import type { SeededIds } from "./seed.ts";

/** One query function call's statements: withUser's scope (and transaction control), then the data statements. */
export interface Sent {
  scope: Statement[];
  data: Statement[];
}

// Transaction control and withUser's set_config are not data statements (as in the feed's query-count test).
const isDataStatement = (q: string) => !/^\s*(begin|commit|rollback|savepoint|release)\b/i.test(q) && !/set_config/i.test(q);

/** Records what Drizzle sends while `on`; the server's requests are not recorded. */
export function createCapture() {
  const state = { on: false, statements: [] as Statement[] };
  const logger: Logger = { logQuery: (text, params) => void (state.on && state.statements.push({ text, params })) };
  return {
    logger,
    async run(fn: () => Promise<unknown>): Promise<Sent> {
      state.statements = [];
      state.on = true;
      try {
        await fn();
      } finally {
        state.on = false;
      }
      return {
        scope: state.statements.filter((s) => !isDataStatement(s.text)),
        data: state.statements.filter((s) => isDataStatement(s.text)),
      };
    },
  };
}

/**
 * The keyset positions that start `page` (the last row of the page before) in the bench
 * user's feed and conversation, found with row_number() over each list's order, not by
 * walking. The feed's order is unseen first, then newest (packages/db/src/queries/stories/feed.ts);
 * the seeded feed holds companion stories only, all of public companions.
 */
export async function deepCursors(raw: RawDriver, ids: SeededIds, page: number, limit: number) {
  const target = (page - 1) * limit;
  const rowsAround = async (list: string, order: string, params: unknown[], what: string) => {
    const n = params.length + 1;
    const rows = await raw.query(
      `select extract(epoch from created_at) * 1000, id::text, seen from (
         select created_at, id, seen, row_number() over (order by ${order}) as rn from (${list}) l
       ) t where rn in ($${n}::bigint, $${n}::bigint + 1) order by rn`,
      [...params, target],
    );
    const [last, first] = rows;
    const [ms, id, seen] = last ?? [];
    if (typeof id !== "string" || !first) throw new Error(`${what}: fewer than ${target + 1} rows, no page ${page}`);
    return { position: { createdAt: new Date(Number(ms)), id, seen: seen === true }, firstId: String(first[1]) };
  };
  const feed = await rowsAround(
    `select s.created_at, s.id, exists (select 1 from story_views v where v.story_id = s.id and v.viewer_id = $1) as seen
     from stories s where s.deleted_at is null and s.expires_at > now()
       and s.author_companion_id in (select companion_id from relationship_states where user_id = $1)`,
    "seen, created_at desc, id desc",
    [ids.benchUserId],
    "feed",
  );
  const messages = await rowsAround(
    "select created_at, id, false as seen from messages where user_id = $1 and companion_id = $2",
    "created_at desc, id desc",
    [ids.benchUserId, ids.benchCompanionId],
    "messages",
  );
  return {
    feed: { cursor: encodeFeedCursor(feed.position), firstId: feed.firstId },
    messages: { cursor: encodeCursor(messages.position), firstId: messages.firstId },
  };
}
