import type { AppRouter, inferRouterInputs, inferRouterOutputs } from "@companion/api";

/** Input type of every procedure: `RouterInputs["auth"]["login"]`. */
export type RouterInputs = inferRouterInputs<AppRouter>;
/** Output type of every procedure: `RouterOutputs["auth"]["me"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;
