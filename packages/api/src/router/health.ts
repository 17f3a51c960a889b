import { z } from "zod";
import { publicProcedure, router } from "../trpc.ts";

export const healthRouter = router({
  /** A tiny subscription: the SSE path end to end (ticks `count` times, then completes). */
  ticks: publicProcedure
    .input(z.object({ count: z.number().int().min(1).max(10), intervalMs: z.number().int().min(1).max(1000).default(10) }))
    .subscription(async function* ({ ctx, input, signal }) {
      // A shutdown ends it cleanly, like every long-lived subscription.
      const stop = signal ? AbortSignal.any([signal, ctx.services.closing]) : ctx.services.closing;
      for (let i = 1; i <= input.count; i++) {
        await new Promise<void>((resolve) => {
          const done = () => (clearTimeout(timer), resolve());
          const timer = setTimeout(done, input.intervalMs);
          stop.addEventListener("abort", done, { once: true });
        });
        if (stop.aborted) return;
        yield { tick: i };
      }
    }),
});
