import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

export const healthRouter = router({
  /** A tiny subscription: the SSE path end to end (ticks `count` times, then completes). */
  ticks: publicProcedure
    .input(z.object({ count: z.number().int().min(1).max(10), intervalMs: z.number().int().min(1).max(1000).default(10) }))
    .subscription(async function* ({ input, signal }) {
      for (let i = 1; i <= input.count; i++) {
        await new Promise((r) => setTimeout(r, input.intervalMs));
        if (signal?.aborted) return;
        yield { tick: i };
      }
    }),
});
