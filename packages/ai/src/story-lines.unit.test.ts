import { describe, expect, it } from "vitest";
import { offlineStoryPost, parseStoryPost, storyPost } from "./story-lines.ts";

const WEEK = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

describe("offline story posts", () => {
  it("a week of three posts a day never repeats verbatim, and every post fits the schema", () => {
    for (const traits of [["curious", "playful"], ["calm"], [], ["unknown-trait"]]) {
      const seen = new Set<string>();
      for (const [d, weekday] of WEEK.entries()) {
        for (const hour of [9, 14, 20]) {
          const post = offlineStoryPost({ traits, mood: "content", seed: `c1:2026-05-0${d + 1}T${hour}`, weekday, hour });
          expect(storyPost.safeParse(post).success).toBe(true);
          const key = JSON.stringify(post);
          expect(seen.has(key), key).toBe(false);
          seen.add(key);
        }
      }
      expect(seen.size).toBe(21);
    }
  });

  it("follows the mood, and a draft's prompt becomes the first slide's line", () => {
    const lonely = offlineStoryPost({ traits: ["caring"], mood: "lonely", seed: "s", weekday: "Friday", hour: 22, prompt: "  the   lake  " });
    expect(lonely.caption).toMatch(/Friday night/);
    expect(lonely.slides[0]?.body).toBe("the lake");
    expect(offlineStoryPost({ traits: [], mood: "whatever", seed: "s", weekday: "Friday", hour: 8 }).caption).toMatch(/Friday morning/);
  });
});

describe("parseStoryPost", () => {
  it("takes valid JSON in the schema and refuses the rest", () => {
    expect(parseStoryPost('{"caption":" Hi ","slides":[{"title":"A","body":"B"}]}')).toEqual({ caption: "Hi", slides: [{ title: "A", body: "B" }] });
    expect(parseStoryPost("not json")).toBeNull();
    expect(parseStoryPost('{"caption":"x","slides":[]}')).toBeNull();
    expect(parseStoryPost(JSON.stringify({ caption: "x", slides: Array.from({ length: 4 }, () => ({ title: "t", body: "b" })) }))).toBeNull();
    expect(parseStoryPost(JSON.stringify({ caption: "x".repeat(201), slides: [{ title: "t", body: "b" }] }))).toBeNull();
  });
});
