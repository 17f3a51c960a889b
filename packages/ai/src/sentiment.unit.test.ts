import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { classifySentimentWithModel, lexiconSentiment } from "./sentiment.ts";
import { type FakeProvider, startFakeProvider } from "./testing/index.ts";
import type { CallRecord } from "./types.ts";

describe("lexicon sentiment", () => {
  it("signs positive and negative text, and is neutral without cues", () => {
    expect(lexiconSentiment("I am so happy today, I love it")).toBeGreaterThan(0.5);
    expect(lexiconSentiment("This is awful, I feel sad and lonely")).toBeLessThan(-0.5);
    expect(lexiconSentiment("The train leaves at nine")).toBe(0);
  });

  it("flips negated words", () => {
    expect(lexiconSentiment("I am not happy")).toBeLessThan(0);
    expect(lexiconSentiment("that wasn't bad at all")).toBeGreaterThan(0);
    expect(lexiconSentiment("I don't really feel very good")).toBeLessThan(0);
    // Negation has a short scope: the second clause keeps its own sign.
    expect(lexiconSentiment("not tired, it was a wonderful wonderful day")).toBeGreaterThan(0.5);
  });

  it("stays within [-1, 1]", () => {
    expect(lexiconSentiment("love ".repeat(200))).toBeLessThanOrEqual(1);
    expect(lexiconSentiment("hate ".repeat(200))).toBeGreaterThanOrEqual(-1);
  });
});

describe("model sentiment", () => {
  let fp: FakeProvider;
  let calls: CallRecord[];
  const onCall = (record: CallRecord) => {
    calls.push(record);
  };
  beforeAll(async () => {
    fp = await startFakeProvider("primary", { timeoutMs: 300 });
  });
  afterAll(() => fp.close());
  beforeEach(() => {
    calls = [];
    fp.fake.resetCounters();
  });

  it("asks for a JSON object and uses the validated answer", async () => {
    fp.fake.setBehavior({ mode: "ok" });
    const result = await classifySentimentWithModel(fp.provider, "meh, it's fine", undefined, { onCall });
    expect(result).toEqual({ score: 0.6, source: "model" });
    expect(fp.fake.lastRequestBody).toMatchObject({ response_format: { type: "json_object" } });
    expect(calls).toEqual([expect.objectContaining({ purpose: "sentiment", outcome: "ok" })]);
  });

  it.each([
    ["bad JSON", { mode: "ok" as const, reply: "I think it is positive" }],
    ["an out-of-range score", { mode: "ok" as const, reply: '{"sentiment": 5}' }],
    ["a failing provider", { mode: "status" as const, status: 500 }],
    ["a hanging provider", { mode: "hang" as const }],
  ])("falls back to the lexicon on %s", async (_label, behavior) => {
    fp.fake.setBehavior(behavior);
    const result = await classifySentimentWithModel(fp.provider, "I am not happy at all", undefined, { onCall });
    expect(result.source).toBe("lexicon");
    expect(result.score).toBeLessThan(0);
    expect(calls).toHaveLength(1);
  });
});
