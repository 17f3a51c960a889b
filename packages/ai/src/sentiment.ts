import { z } from "zod";
import { emitCallRecord } from "./call-record.ts";
import { isProviderError } from "./errors.ts";
import type { CallOutcome, ChatProvider, OnCall, Usage } from "./types.ts";

const POSITIVE: Readonly<Record<string, number>> = {
  love: 2, adore: 2, amazing: 2, wonderful: 2, fantastic: 2, awesome: 2, excellent: 2, thrilled: 2, delighted: 2,
  happy: 1, glad: 1, good: 1, great: 1.5, nice: 1, fun: 1, like: 0.5, enjoy: 1, enjoyed: 1, excited: 1.5,
  thanks: 1, thank: 1, grateful: 1.5, proud: 1, calm: 0.5, relaxed: 1, better: 1, best: 1.5, beautiful: 1.5,
  sweet: 1, cute: 1, laugh: 1, smile: 1, hope: 0.5, yay: 1.5, cool: 1, perfect: 1.5, safe: 0.5,
};

const NEGATIVE: Readonly<Record<string, number>> = {
  hate: 2, awful: 2, terrible: 2, horrible: 2, miserable: 2, depressed: 2, furious: 2, disgusting: 2,
  sad: 1.5, angry: 1.5, upset: 1.5, lonely: 1.5, alone: 1, bad: 1, worse: 1.5, worst: 2, tired: 1, bored: 1,
  annoyed: 1, annoying: 1, stressed: 1.5, anxious: 1.5, worried: 1, afraid: 1, scared: 1, hurt: 1.5, cry: 1.5,
  crying: 1.5, sick: 1, boring: 1, ugly: 1, sucks: 1.5, fail: 1, failed: 1, lost: 1, broke: 1, pain: 1.5,
};

const NEGATORS = new Set([
  "not", "no", "never", "nothing", "hardly", "without", "dont", "don't", "doesnt", "doesn't", "didnt", "didn't",
  "isnt", "isn't", "wasnt", "wasn't", "arent", "aren't", "cant", "can't", "cannot", "wont", "won't", "aint", "ain't",
]);

const INTENSIFIERS: Readonly<Record<string, number>> = { very: 1.5, really: 1.4, so: 1.3, extremely: 1.8, super: 1.5, totally: 1.4 };

// A negator flips the sentiment of the next few words ("not very happy"), not the whole sentence.
const NEGATION_SCOPE = 3;
// Squashes the raw sum into (-1, 1); with 4, a single "happy" scores ~0.45 and "love" ~0.71.
const NORMALIZATION = 4;

/**
 * Lexicon sentiment in [-1, 1]: weighted positive/negative words, intensifiers, and
 * negation within the next three words. Fast, free and offline; crude on sarcasm and
 * non-English text, which is why the model classifier exists.
 */
export function lexiconSentiment(text: string): number {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  let sum = 0;
  let negateFor = 0;
  let boost = 1;
  for (const word of words) {
    if (NEGATORS.has(word)) {
      negateFor = NEGATION_SCOPE;
      continue;
    }
    const intensity = INTENSIFIERS[word];
    if (intensity !== undefined) {
      boost = intensity;
      continue;
    }
    const weight = (POSITIVE[word] ?? 0) - (NEGATIVE[word] ?? 0);
    if (weight !== 0) {
      sum += (negateFor > 0 ? -weight : weight) * boost;
      negateFor = 0;
    } else if (negateFor > 0) {
      negateFor--;
    }
    boost = 1;
  }
  if (sum === 0) return 0;
  return sum / Math.sqrt(sum * sum + NORMALIZATION);
}

const modelSentimentSchema = z.object({ sentiment: z.number().min(-1).max(1) });

export interface SentimentResult {
  score: number;
  source: "model" | "lexicon";
}

export interface ModelSentimentOptions {
  onCall?: OnCall;
  timeoutMs?: number;
}

const SENTIMENT_INSTRUCTIONS =
  'Rate the emotional sentiment of the user\'s message from -1 (very negative) to 1 (very positive). ' +
  'Reply with only a JSON object of the form {"sentiment": number}.';

/**
 * Asks the model for the sentiment of `text` as JSON, validated with zod. Any failure
 * (network, timeout, bad JSON, out-of-range number) falls back to `lexiconSentiment`, so
 * this never throws; `source` says which one answered.
 */
export async function classifySentimentWithModel(
  provider: ChatProvider,
  text: string,
  signal?: AbortSignal,
  options: ModelSentimentOptions = {},
): Promise<SentimentResult> {
  const startedAt = performance.now();
  const record = (outcome: CallOutcome, usage: Usage, error?: string) =>
    emitCallRecord(options.onCall, {
      provider,
      purpose: "sentiment",
      outcome,
      usage,
      latencyMs: performance.now() - startedAt,
      ...(error === undefined ? {} : { error }),
    });

  try {
    const result = await provider.complete({
      messages: [
        { role: "system", content: SENTIMENT_INSTRUCTIONS },
        { role: "user", content: text },
      ],
      maxTokens: 20,
      temperature: 0,
      responseFormat: "json_object",
      ...(signal ? { signal } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
    const parsed = modelSentimentSchema.safeParse(parseJson(result.text));
    // The call itself succeeded and was billed even when its answer is unusable.
    record("ok", result, parsed.success ? undefined : "invalid sentiment JSON");
    if (parsed.success) return { score: parsed.data.sentiment, source: "model" };
  } catch (err) {
    record(isProviderError(err) ? err.kind : "error", { promptTokens: 0, completionTokens: 0 }, String(err));
  }
  return { score: lexiconSentiment(text), source: "lexicon" };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
