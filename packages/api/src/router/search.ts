import { searchFullText } from "@companion/db";
import { searchQueryInput, searchQueryOutput } from "@companion/validators";
import { router, userProcedure } from "../trpc.ts";
import { toWireSearchHit } from "../wire/search.ts";

export const searchRouter = router({
  /** My memories and messages matching `q`, best first, with highlighted snippets; NOT_FOUND for a companion I may not see. */
  query: userProcedure
    .input(searchQueryInput)
    .output(searchQueryOutput)
    .query(async ({ ctx, input }) => {
      const res = await searchFullText(ctx.db, { userId: ctx.user.id, ...input });
      return { items: res.items.map(toWireSearchHit), nextCursor: res.nextCursor, mode: "fulltext" as const };
    }),
});
