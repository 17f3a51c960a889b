import type { ChatChain, Embedder } from "@companion/ai";
import type { Database, QuotaLimits } from "@companion/db";
import type { JobLogger, JobQueue, ProactiveSettings } from "@companion/jobs";
import type { PushSender } from "@companion/push";
import type { AiCallRecorder } from "../services/background.ts";
import type { SentimentSource } from "../services/chat-sentiment.ts";
import type { MediaService } from "../services/media.ts";

/** What the job handlers need: built by the process that runs them (apps/worker, or the server in-process). */
export interface JobDeps {
  db: Database;
  /** For follow-up jobs (a sweep's media purge, a notification's push). */
  queue: JobQueue;
  /** `storeCompanionCard`: a companion story's image cards (jobs/stories.ts). */
  media: Pick<MediaService, "purge" | "storeCompanionCard" | "storage" | "exportUrl">;
  chat: {
    /** The process's one fallback chain, whose `onCall` is `calls.onCall`. */
    chain: ChatChain;
    calls: AiCallRecorder;
    /** "model" when a network provider is configured, else the lexicon. */
    sentiment: SentimentSource;
    /**
     * The daily limits (docs/quotas.md): a person past a limit gets the offline path of
     * every background model call (lexicon sentiment, offline memory extraction, extractive
     * summary, template proactive message and digest letter). Unset: no check.
     */
    quotas?: QuotaLimits;
  };
  /** The search embedder when hybrid search is on (model and tables), else null: search.embed does nothing. */
  search?: { embedder: Embedder | null };
  /** Delivers notifications to devices: Web Push when configured, else a sender that logs. */
  push: PushSender;
  retention: { storyDeleteGraceMs: number; eventRetentionMs: number };
  /** The guardrails of companions writing first (docs/proactive.md). */
  proactive: ProactiveSettings;
  log: JobLogger;
}
