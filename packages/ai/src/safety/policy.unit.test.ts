import { describe, expect, it } from "vitest";
import { crisisReply, safeReply } from "./crisis.ts";
import { moderationCategories } from "./moderation.ts";
import { DEFAULT_SAFETY_POLICY, messageVerdict, parseSafetyPolicy, replyVerdict } from "./policy.ts";
import { createSentenceGuard } from "./sentence-guard.ts";

describe("safety policy", () => {
  it("parses SAFETY_POLICY over the default", () => {
    expect(parseSafetyPolicy(undefined)).toEqual(DEFAULT_SAFETY_POLICY);
    expect(parseSafetyPolicy(" harassment=refuse , sexual=allow")).toEqual({ ...DEFAULT_SAFETY_POLICY, harassment: "refuse", sexual: "allow" });
  });

  it.each(["harassment", "violence=maybe", "unknown=flag", "self_harm=allow", "sexual_minors=allow", "hate=flag=refuse"])("refuses %s", (raw) => {
    expect(() => parseSafetyPolicy(raw)).toThrow();
  });

  it("decides a message: minors refused, self-harm a crisis, the rest by policy", () => {
    const policy = parseSafetyPolicy("harassment=refuse,violence=flag,sexual=allow");
    expect(messageVerdict(["sexual_minors", "self_harm"], policy)).toEqual({ action: "refuse", category: "sexual_minors" });
    expect(messageVerdict(["self_harm", "violence"], policy)).toEqual({ action: "crisis", category: "self_harm" });
    expect(messageVerdict(["harassment"], policy)).toEqual({ action: "refuse", category: "harassment" });
    expect(messageVerdict(["violence"], policy)).toEqual({ action: "flag", category: "violence" });
    expect(messageVerdict(["sexual"], policy)).toEqual({ action: "allow" });
    expect(messageVerdict([], policy)).toEqual({ action: "allow" });
  });

  it("replaces a reply that encourages harm whatever the policy", () => {
    const lenient = parseSafetyPolicy("violence=allow,hate=allow,harassment=allow,sexual=allow,illicit=allow");
    expect(replyVerdict(["self_harm"], lenient)).toEqual({ action: "replace", category: "self_harm" });
    expect(replyVerdict(["violence"], lenient)).toEqual({ action: "replace", category: "violence" });
    expect(replyVerdict(["hate"], DEFAULT_SAFETY_POLICY)).toEqual({ action: "replace", category: "hate" });
    expect(replyVerdict(["sexual"], DEFAULT_SAFETY_POLICY)).toEqual({ action: "flag", category: "sexual" });
    expect(replyVerdict(["sexual"], lenient)).toEqual({ action: "allow" });
  });

  it("maps the moderation endpoint's categories to ours", () => {
    expect(moderationCategories({ "self-harm/intent": true, "sexual/minors": true, violence: false, "harassment/threatening": true }).sort()).toEqual(
      ["harassment", "self_harm", "sexual_minors"],
    );
  });
});

describe("crisis resources", () => {
  it.each([
    ["en-US", "988"],
    ["en-GB", "116 123"],
    ["en-IE", "116 123"],
    ["pt-BR", "188"],
    ["pt_br", "188"],
    ["es-ES", "024"],
    ["es-MX", "800 911 2000"],
    ["fr-FR", "3114"],
    ["de-DE", "0800 111 0 111"],
    ["en-AU", "13 11 14"],
    ["en", "988"],
    ["ja-JP", "findahelpline.com"],
    ["", "findahelpline.com"],
  ])("%s gets %s", (language, expected) => {
    expect(crisisReply(language)).toContain(expected);
  });

  it("answers in the person's language, with a fallback to English", () => {
    expect(crisisReply("pt-BR")).toMatch(/^Que bom que você me contou/);
    expect(crisisReply("de-AT")).toMatch(/^Ich bin wirklich froh/);
    expect(crisisReply("it-IT")).toMatch(/^I'm really glad you told me/);
    expect(safeReply("fr")).toMatch(/^Je ne veux pas/);
  });
});

describe("sentence guard", () => {
  const blocksKill = (text: string) => (/kill yourself/i.test(text) ? ("self_harm" as const) : null);

  it("streams a reply without trigger words as it arrives", () => {
    const guard = createSentenceGuard(blocksKill);
    expect(guard.push("Hello there")).toEqual({ release: "Hello there" });
    expect(guard.push(", friend. How")).toEqual({ release: ", friend. How" });
    expect(guard.push(" are you?")).toEqual({ release: " are you?" });
    expect(guard.end()).toEqual({ release: "" });
  });

  it("holds a word that may become a trigger, and from a trigger to the end of its sentence", () => {
    const guard = createSentenceGuard(blocksKill);
    expect(guard.push("I would ki")).toEqual({ release: "I would " });
    expect(guard.push("ndly ask")).toEqual({ release: "kindly ask" });
    expect(guard.push(" you to take care of")).toEqual({ release: " you to take " });
    expect(guard.push(" yourself, ok")).toEqual({ release: "" });
    expect(guard.push("? Then")).toEqual({ release: "care of yourself, ok? Then" });
  });

  it("never releases a harmful phrase before the check has seen it whole, even spread over tokens", () => {
    const guard = createSentenceGuard(blocksKill);
    expect(guard.push("Fine. You should kill")).toEqual({ release: "Fine. You should " });
    expect(guard.push(" your")).toEqual({ release: "" });
    expect(guard.push("self. Bye. ")).toEqual({ blocked: "self_harm" });
    expect(guard.push("More. ")).toEqual({ blocked: "self_harm" });
    expect(guard.end()).toEqual({ blocked: "self_harm" });
    guard.reset();
    expect(guard.push("Again. ")).toEqual({ release: "Again. " });
  });

  it("checks at the end what is still held", () => {
    const guard = createSentenceGuard(blocksKill);
    expect(guard.push("go kill yourself")).toEqual({ release: "go " });
    expect(guard.end()).toEqual({ blocked: "self_harm" });
  });

  it("releases a long held sentence at a space rather than stalling", () => {
    const guard = createSentenceGuard(() => null);
    const step = guard.push(`kill ${"word ".repeat(70)}tail`);
    expect("release" in step && step.release.length).toBeGreaterThan(280);
  });
});
