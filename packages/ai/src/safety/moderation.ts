/**
 * The remote check: an OpenAI-compatible moderation endpoint (`omni-moderation-latest`) through
 * the official SDK, under a short timeout. Any failure (timeout, error status, no such endpoint)
 * answers null and the caller falls back to the offline classifier: a check never fails a message.
 */
import type OpenAI from "openai";
import { loadOpenAI } from "../openai-sdk.ts";
import type { SafetyCategory } from "./policy.ts";

export interface ModerationOptions {
  apiKey?: string;
  baseURL: string;
  model: string;
  timeoutMs: number;
}

/** The categories the endpoint flagged, or null when it did not answer in time (use the offline check). */
export type Moderate = (text: string, signal?: AbortSignal) => Promise<SafetyCategory[] | null>;

/** OpenAI's category names (with their sub-categories) to ours. */
const CATEGORY_OF: Record<string, SafetyCategory> = {
  "sexual/minors": "sexual_minors",
  "self-harm": "self_harm",
  "self-harm/intent": "self_harm",
  "self-harm/instructions": "self_harm",
  violence: "violence",
  "violence/graphic": "violence",
  hate: "hate",
  "hate/threatening": "hate",
  harassment: "harassment",
  "harassment/threatening": "harassment",
  sexual: "sexual",
  illicit: "illicit",
  "illicit/violent": "illicit",
};

/** Maps the `categories` object of one moderation result to ours (flagged ones only, no duplicates). */
export function moderationCategories(categories: Record<string, boolean | null | undefined>): SafetyCategory[] {
  const found = new Set<SafetyCategory>();
  for (const [name, flagged] of Object.entries(categories)) {
    const ours = CATEGORY_OF[name];
    if (flagged === true && ours) found.add(ours);
  }
  return [...found];
}

export function createModeration(options: ModerationOptions): Moderate {
  // The SDK loads now, where this is configured, not at startup everywhere (openai-sdk.ts).
  const made: Promise<OpenAI> = loadOpenAI().then(
    (sdk) =>
      new sdk.OpenAI({
        apiKey: options.apiKey ?? "not-needed",
        baseURL: options.baseURL,
        organization: null,
        project: null,
        webhookSecret: null,
        adminAPIKey: null,
        timeout: options.timeoutMs,
        maxRetries: 0,
        logLevel: "off",
      }),
  );
  // A failure to load shows on the first call.
  made.catch(() => undefined);
  return async (text, signal) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await (await made).moderations.create(
        { model: options.model, input: text },
        { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, timeout: options.timeoutMs },
      );
      const found = new Set<SafetyCategory>();
      for (const result of response.results) {
        for (const category of moderationCategories(result.categories as unknown as Record<string, boolean>)) found.add(category);
      }
      return [...found];
    } catch {
      return null;
    }
  };
}
