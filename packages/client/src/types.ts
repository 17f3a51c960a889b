import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./router.ts";

/** Input type of every procedure: `RouterInputs["auth"]["login"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Output type of every procedure: `RouterOutputs["auth"]["me"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

/** What login, register and refresh answer (kept by the client, handed to `onTokens`). */
export type AuthTokens = RouterOutputs["auth"]["login"]["tokens"];

/** The `data` of an API error: tRPC's code and status, and the server's own fields (docs/errors.md). */
export type ErrorData = AppRouter["_def"]["_config"]["$types"]["errorShape"]["data"];
