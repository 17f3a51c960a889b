import { searchQueryInput, searchQueryOutput } from "@companion/validators";
import { protectedProcedure, router } from "../trpc.ts";
import { toWireSearchHit } from "../wire/search.ts";

export const searchRouter = router({
  /**
   * My memories and messages matching `q`, best first, with highlighted snippets; NOT_FOUND for
   * a companion I may not see. Not a userProcedure: the query's embedding (hybrid mode) is
   * fetched before the user scope opens, so no transaction waits on the model.
   */
  query: protectedProcedure
    .input(searchQueryInput)
    .output(searchQueryOutput)
    .query(async ({ ctx, input }) => {
      const res = await ctx.services.search.query(ctx.user.id, input);
      return { items: res.items.map(toWireSearchHit), nextCursor: res.nextCursor, mode: res.mode };
    }),
});
