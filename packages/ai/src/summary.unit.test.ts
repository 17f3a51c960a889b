import { describe, expect, it } from "vitest";
import { summarizeExtractive, type SummaryTurn } from "./summary.ts";

const conversation: SummaryTurn[] = [
  { role: "user", content: "hi!" },
  { role: "assistant", content: "Hey there. How was your day?" },
  { role: "user", content: "Long. My sister Ana is moving to Lisbon next month. I'll miss her a lot." },
  { role: "assistant", content: "That's a big change. Lisbon is lovely though." },
  { role: "user", content: "ok" },
  { role: "user", content: "Also on Friday I have a job interview at the hospital. I'm a nurse, so it's a big step." },
  { role: "assistant", content: "You'll do great. Are you nervous?" },
  { role: "user", content: "A little. Ana says the hospital is huge. thanks for listening" },
  { role: "user", content: "lol yeah" },
];

describe("offline extractive summary", () => {
  it("keeps the person's informative sentences, in their original order, and drops greetings and filler", async () => {
    const summary = await summarizeExtractive(conversation, 220);
    console.log(`summary (${summary.length}/220 chars): ${summary}`);
    expect(summary.length).toBeLessThanOrEqual(220);
    expect(summary).toContain("My sister Ana is moving to Lisbon next month.");
    expect(summary).toContain("Also on Friday I have a job interview at the hospital.");
    expect(summary.indexOf("Ana is moving")).toBeLessThan(summary.indexOf("job interview"));
    for (const filler of ["hi!", "ok", "lol yeah", "How was your day?", "Are you nervous?"]) expect(summary).not.toContain(filler);
  });

  it("gives the person's sentences more room than the companion's", async () => {
    const tight = await summarizeExtractive(conversation, 120);
    expect(tight).toMatch(/Ana|job interview/);
    expect(tight).not.toContain("You'll do great");
    expect(tight).not.toContain("Lisbon is lovely");
  });

  it("keeps the previous summary in front and trims its oldest part first", async () => {
    const previous =
      "They met in March and talked for hours. They talked about their dog Rex, who is old now and sleeps a lot. " +
      "They work night shifts at a bakery and hate it. They like jazz.";
    const summary = await summarizeExtractive(conversation, 240, previous);
    expect(summary.length).toBeLessThanOrEqual(240);
    expect(summary.startsWith("They")).toBe(true);
    expect(summary).not.toContain("They met in March.");
    expect(summary).toContain("They like jazz.");
    expect(summary).toContain("job interview");
    // A roomy budget keeps everything from before.
    expect((await summarizeExtractive(conversation, 1_000, previous)).startsWith(previous)).toBe(true);
  });

  it("never exceeds maxChars, whatever the input", async () => {
    const long: SummaryTurn[] = [{ role: "user", content: `My brother Leo lives in Toronto and ${"works very hard every single day ".repeat(30)}.` }];
    for (const max of [0, 1, 5, 17, 40, 80, 200, 500]) {
      for (const turns of [conversation, long, []]) {
        for (const previous of ["", "x".repeat(300), "Short one. Another one."]) {
          expect((await summarizeExtractive(turns, max, previous)).length).toBeLessThanOrEqual(max);
        }
      }
    }
    expect((await summarizeExtractive(long, 60)).length).toBeGreaterThan(20);
    expect(await summarizeExtractive([{ role: "user", content: "hi" }, { role: "user", content: "ok thanks" }], 100)).toBe("");
  });
});
