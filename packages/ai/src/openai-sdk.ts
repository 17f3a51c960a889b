/**
 * The `openai` SDK, loaded when a provider, the embedder or the moderation check is made, that is
 * only where one is configured, rather than at startup everywhere (docs/scaling.md#memory): about
 * 1.3 MB of source and its classes, which a process without a network provider never uses.
 */
import type * as Sdk from "openai";

let sdk: typeof Sdk | undefined;

export async function loadOpenAI(): Promise<typeof Sdk> {
  return (sdk ??= await import("openai"));
}

/** The SDK if a client was made; its errors can only come from one. */
export const loadedOpenAI = (): typeof Sdk | undefined => sdk;
