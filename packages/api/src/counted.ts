/**
 * A business counter as a procedure step: `protectedProcedure.use(counted(storiesCreated))`
 * counts the calls that succeeded (after their transaction committed), none that failed.
 */
import { middleware } from "./trpc.ts";

export const counted = (counter: { inc(): void }) =>
  middleware(async ({ next }) => {
    const result = await next();
    if (result.ok) counter.inc();
    return result;
  });
