/**
 * Automatic memory and the rolling summary (docs/memory.md): the work of the memory.extract and
 * memory.summarize jobs. A model is asked when one is configured; the offline extractor and
 * the extractive summary answer otherwise, and whenever the model's answer is unusable.
 */
import { extractFacts, summarizeExtractive, type ChatChain } from "@companion/ai";
import {
  applyAutoFacts,
  countUnsummarizedTurns,
  findExchangeForExtraction,
  getLatestSummary,
  insertAiCalls,
  insertSummary,
  listMemoryCandidates,
  listUnsummarizedTurns,
  withUser,
  type AutoFact,
  type Database,
  type MemoryCandidate,
  type QuotaLimits,
} from "@companion/db";
import type { AiCallPayload } from "@companion/jobs";
import { z } from "zod";
import type { AiCallRecorder, CallScope } from "./background.ts";
import { PROMPT_ROW_LIMITS, memorySearchQuery } from "./chat-prompt.ts";
import { withinQuota } from "./quota.ts";

export interface MemoryDeps {
  db: Database;
  chain: ChatChain;
  calls: AiCallRecorder;
  /** Past the person's daily quota the offline extractor and the extractive summary answer (docs/quotas.md). */
  quotas?: QuotaLimits | undefined;
}

/** A network provider is configured and the person is within their daily quota. */
const modelFor = async (deps: MemoryDeps, userId: string) => deps.chain.providers.length > 0 && (await withinQuota(deps.db, deps.quotas, userId));

/** How many of the person's memories the extraction model sees to compare with. */
const CANDIDATE_LIMIT = 8;
const FACT_KEY_MAX = 100;
const FACT_CONTENT_MAX = 500;
const EXTRACTION_MAX_TOKENS = 600;

/** The structured output asked of the model (OpenAI strict mode: every property required). */
const MEMORY_EXTRACTION_SCHEMA: Record<string, unknown> = {
  type: "object",
  additionalProperties: false,
  required: ["facts"],
  properties: {
    facts: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["action", "memoryId", "key", "content", "importance"],
        properties: {
          action: { type: "string", enum: ["add", "update", "ignore"] },
          memoryId: { type: ["string", "null"], description: "For update: the id of the existing memory it replaces." },
          key: { type: "string", description: 'What the fact is about, lowercase: "name", "job", "pet:rex", "likes:coffee".' },
          content: { type: "string", description: 'One short sentence about the person, third person ("Works as a nurse.").' },
          importance: { type: "integer", minimum: 1, maximum: 10 },
        },
      },
    },
  },
};

const normalizeKey = (key: string) => key.trim().toLowerCase().replace(/\s+/g, " ").slice(0, FACT_KEY_MAX);

const extractionAnswer = z.object({
  facts: z
    .array(
      z.object({
        action: z.enum(["add", "update", "ignore"]),
        memoryId: z.string().nullish(),
        key: z.string().trim().min(1).transform(normalizeKey),
        content: z.string().trim().min(1).transform((s) => s.slice(0, FACT_CONTENT_MAX)),
        importance: z.number().transform((n) => Math.min(10, Math.max(1, Math.round(n)))),
      }),
    )
    .max(20),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The model's answer as facts to write, or null when it is not valid JSON of the schema. */
export function parseExtraction(text: string, candidates: readonly MemoryCandidate[]): AutoFact[] | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = extractionAnswer.safeParse(json);
  if (!parsed.success) return null;
  const known = new Set(candidates.map((c) => c.id));
  return parsed.data.facts.flatMap((fact) => {
    if (fact.action === "ignore") return [];
    // An update must name one of the memories shown; anything else is an add by key.
    const memoryId = fact.action === "update" && fact.memoryId && UUID.test(fact.memoryId) && known.has(fact.memoryId) ? fact.memoryId : undefined;
    return [{ memoryId, key: fact.key, content: fact.content, importance: fact.importance }];
  });
}

const EXTRACTION_INSTRUCTIONS =
  "You keep the long-term memory of a companion app. From the person's latest message, list what is worth " +
  "remembering about the person: their name, job, home, people and pets (with names), likes and dislikes, " +
  "plans and dates, recurring feelings. Ignore small talk and anything about the companion. For each fact " +
  'answer "add" (new), "update" with the memoryId of the existing memory it corrects or refines, or "ignore" ' +
  "(already known). Keys are short and stable so the same fact always gets the same key.";

function extractionMessages(exchange: { content: string; reply: string }, candidates: readonly MemoryCandidate[]) {
  const known =
    candidates.length === 0
      ? "(none)"
      : candidates.map((c) => `- id=${c.id} key=${c.factKey ?? "-"} source=${c.source}: ${c.title ? `${c.title}: ` : ""}${c.content}`).join("\n");
  return [
    { role: "system" as const, content: EXTRACTION_INSTRUCTIONS },
    {
      role: "user" as const,
      content: `Existing memories:\n${known}\n\nMessage from the person: ${JSON.stringify(exchange.content)}\nReply from the companion: ${JSON.stringify(exchange.reply)}`,
    },
  ];
}

const toRows = (calls: readonly AiCallPayload[]) => calls.map(({ at, ...call }) => ({ ...call, at: new Date(at) }));

/** Runs `fn` with a call scope and records its model calls, whether it succeeds or throws. */
async function withRecordedCalls<T>(deps: MemoryDeps, userId: string, fn: (scope: CallScope) => Promise<T>): Promise<T> {
  const scope = deps.calls.scope(userId);
  try {
    return await fn(scope);
  } finally {
    await insertAiCalls(deps.db, toRows(scope.calls));
  }
}

export interface ExtractionOutcome {
  method: "model" | "offline" | "skipped";
  added: number;
  updated: number;
  ignored: number;
}

/**
 * memory.extract: facts from one of my messages into auto memories. With a model: one
 * structured call that also sees my closest memories; a model that is down or answers invalid
 * JSON leaves the offline extractor to answer, at once, as sentiment falls back to the lexicon
 * (docs/memory.md, "When the model fails").
 */
export async function extractMemories(
  deps: MemoryDeps,
  params: { userId: string; companionId: string; messageId: string },
): Promise<ExtractionOutcome> {
  const { userId, companionId } = params;
  const exchange = await withUser(deps.db, userId, (tx) => findExchangeForExtraction(tx, params));
  if (!exchange || exchange.companionId !== companionId) return { method: "skipped", added: 0, updated: 0, ignored: 0 };

  let facts: AutoFact[] | null = null;
  let method: ExtractionOutcome["method"] = "offline";
  if (await modelFor(deps, userId)) {
    const candidates = await withUser(deps.db, userId, (tx) =>
      listMemoryCandidates(tx, { userId, companionId, searchQuery: memorySearchQuery(exchange.content), limit: CANDIDATE_LIMIT }),
    );
    facts = await withRecordedCalls(deps, userId, async (scope) => {
      try {
        const result = await deps.chain.complete({
          purpose: "memory",
          messages: extractionMessages(exchange, candidates),
          maxTokens: EXTRACTION_MAX_TOKENS,
          temperature: 0,
          responseFormat: { type: "json_schema", name: "memory_extraction", schema: MEMORY_EXTRACTION_SCHEMA },
          tag: scope,
        });
        return parseExtraction(result.text, candidates);
      } catch {
        // No provider answered (down, timed out, breaker open): recorded in ai_calls by the chain.
        return null;
      }
    });
    if (facts) method = "model";
  }
  facts ??= (await extractFacts(exchange.content)).map((f) => ({ key: normalizeKey(f.key), content: f.content, importance: f.importance }));
  const counts = facts.length === 0 ? { added: 0, updated: 0, ignored: 0 } : await withUser(deps.db, userId, (tx) => applyAutoFacts(tx, { userId, companionId, facts: facts ?? [] }));
  return { method, ...counts };
}

/** Turns kept verbatim after a fold; the fold starts once more than PROMPT_ROW_LIMITS.recentTurns are unfolded. */
const TURNS_KEPT_AFTER_FOLD = Math.floor(PROMPT_ROW_LIMITS.recentTurns / 2);
/** The most turns one fold reads; a longer backlog is folded over several. */
const FOLD_MAX_TURNS = 200;
/** About 300 tokens: well inside the prompt's summary share (chat-prompt.ts). */
const SUMMARY_MAX_CHARS = 1_200;
const SUMMARY_MAX_TOKENS = 400;

/** Whether the conversation has more unfolded turns than the prompt's history keeps. */
export async function needsSummary(db: Database, params: { userId: string; companionId: string }): Promise<boolean> {
  const limit = PROMPT_ROW_LIMITS.recentTurns;
  return (await countUnsummarizedTurns(db, { ...params, cap: limit + 1 })) > limit;
}

const SUMMARY_INSTRUCTIONS =
  "You keep the running summary of a long conversation between a person and their companion. Rewrite the " +
  "previous summary with the new turns folded in: third person, plain prose, past tense, keeping names, facts " +
  `about the person, plans, promises and feelings; drop small talk. At most ${SUMMARY_MAX_CHARS} characters.`;

const speaker = (role: "user" | "assistant") => (role === "user" ? "Person" : "Companion");

export interface SummaryOutcome {
  version: number;
  folded: number;
  method: "model" | "extractive" | "none";
}

/**
 * memory.summarize: folds the oldest unfolded turns, all but the newest TURNS_KEPT_AFTER_FOLD,
 * into the next version of the conversation's summary. Nothing when the conversation does not
 * outgrow the prompt (a second run finds the first one's version). Runs as service code: the
 * app role may only read summaries.
 */
export async function foldConversation(deps: MemoryDeps, params: { userId: string; companionId: string }): Promise<SummaryOutcome> {
  const { db } = deps;
  const conversation = { userId: params.userId, companionId: params.companionId };
  const previous = await getLatestSummary(db, conversation);
  if (!(await needsSummary(db, conversation))) return { version: previous?.version ?? 0, folded: 0, method: "none" };
  const turns = await listUnsummarizedTurns(db, { ...conversation, limit: FOLD_MAX_TURNS + TURNS_KEPT_AFTER_FOLD });
  const fold = turns.slice(0, Math.min(FOLD_MAX_TURNS, turns.length - TURNS_KEPT_AFTER_FOLD));
  const last = fold[fold.length - 1];
  if (!last) return { version: previous?.version ?? 0, folded: 0, method: "none" };

  let content: string | null = null;
  if (await modelFor(deps, params.userId)) {
    content = await withRecordedCalls(deps, params.userId, async (scope) => {
      const transcript = fold.map((t) => `${speaker(t.role)}: ${t.content}`).join("\n");
      try {
        const result = await deps.chain.complete({
          purpose: "summary",
          messages: [
            { role: "system", content: SUMMARY_INSTRUCTIONS },
            { role: "user", content: `Previous summary:\n${previous?.content ?? "(none)"}\n\nNew turns:\n${transcript}` },
          ],
          maxTokens: SUMMARY_MAX_TOKENS,
          temperature: 0,
          tag: scope,
        });
        const text = result.text.trim();
        return text === "" ? null : text.slice(0, SUMMARY_MAX_CHARS);
      } catch {
        return null;
      }
    });
  }
  const method = content === null ? "extractive" : "model";
  content ??= await summarizeExtractive(fold, SUMMARY_MAX_CHARS, previous?.content ?? "");
  const version = (previous?.version ?? 0) + 1;
  await insertSummary(db, {
    ...conversation,
    version,
    content,
    coversUntil: last.createdAt,
    coversUntilMessageId: last.id,
    messageCount: (previous?.messageCount ?? 0) + fold.length,
    method,
  });
  return { version, folded: fold.length, method };
}
