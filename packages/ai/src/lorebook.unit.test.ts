import { describe, expect, it } from "vitest";
import { DEFAULT_LORE_SCAN_DEPTH, matchLore, type LoreEntry } from "./lorebook.ts";
import { buildChatPrompt } from "./prompt.ts";

const entry = (keys: string[], content: string, more: Partial<LoreEntry> = {}): LoreEntry => ({ keys, content, enabled: true, insertion_order: 0, ...more });
const turns = (...contents: string[]) => contents.map((content) => ({ content }));
const scan = (userMessage: string, ...recent: string[]) => ({ userMessage, recent: turns(...recent) });

describe("matchLore", () => {
  it("matches a key in the new message or the recent turns, as a whole word, case-insensitively by default", () => {
    const book = { entries: [entry(["glade"], "The glade glows."), entry(["Art"], "Art is long.")] };
    expect(matchLore(book, scan("Tell me about the GLADE"))).toEqual(["The glade glows."]);
    expect(matchLore(book, scan("and then?", "We walked to the glade."))).toEqual(["The glade glows."]);
    // "start" and "gladed" hold the keys only as parts of words.
    expect(matchLore(book, scan("Let's start, gladed one"))).toEqual([]);
    expect(matchLore(null, scan("glade"))).toEqual([]);
  });

  it("scans the last scan_depth turns only (default 4), and an entry's @@scan_depth over the book's", () => {
    const old = ["the glade", "a", "b", "c", "d"];
    const book = { entries: [entry(["glade"], "The glade glows.")] };
    expect(DEFAULT_LORE_SCAN_DEPTH).toBe(4);
    expect(matchLore(book, scan("e", ...old))).toEqual([]);
    expect(matchLore(book, scan("e", ...old.slice(1, 2), ...old.slice(0, 1), "b", "c"))).toEqual(["The glade glows."]);
    expect(matchLore({ scan_depth: 5, entries: book.entries }, scan("e", ...old))).toEqual(["The glade glows."]);
    expect(matchLore({ scan_depth: 0, entries: book.entries }, scan("e", "the glade"))).toEqual([]);
    const deep = { entries: [entry(["glade"], "@@scan_depth 5\nDeep glade.")] };
    expect(matchLore(deep, scan("e", ...old))).toEqual(["Deep glade."]);
  });

  it("orders by insertion_order, always adds constant entries, skips disabled, regex and empty ones", () => {
    const book = {
      entries: [
        entry(["b"], "second", { insertion_order: 20 }),
        entry(["a"], "first", { insertion_order: 10 }),
        entry([], "always", { constant: true, insertion_order: 30 }),
        entry(["a"], "off", { enabled: false }),
        entry(["a"], "pattern", { use_regex: true }),
        entry(["a"], "   "),
      ],
    };
    expect(matchLore(book, scan("a b"))).toEqual(["first", "second", "always"]);
    expect(matchLore(book, scan("nothing"))).toEqual(["always"]);
  });

  it("honours case_sensitive, selective with secondary_keys, and the @@activate / @@dont_activate decorators", () => {
    const book = {
      entries: [
        entry(["Eldoria"], "world", { case_sensitive: true }),
        entry(["shadow"], "shadows", { selective: true, secondary_keys: ["beast", "creature"] }),
        entry(["x"], "@@activate\nalways on"),
        entry([], "@@dont_activate\nnever", { constant: true }),
        entry(["y"], "@@position after_desc\n@@@depth 2\nwith a decorator we skip"),
      ],
    };
    expect(matchLore(book, scan("eldoria, a shadow"))).toEqual(["always on"]);
    expect(matchLore(book, scan("Eldoria, a shadow creature, y"))).toEqual(["world", "shadows", "always on", "with a decorator we skip"]);
  });

  it("treats keys as text, never as patterns", () => {
    const book = { entries: [entry(["c++", "(a+)+$"], "literal")] };
    expect(matchLore(book, scan("I write c++ daily"))).toEqual(["literal"]);
    expect(matchLore(book, scan("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"))).toEqual([]);
  });
});

describe("buildChatPrompt with lore", () => {
  const input = {
    persona: { name: "Sera", systemPrompt: "", speakingStyle: "", backstory: "", traits: [] },
    mood: { label: "content", affection: 50, trust: 50, energy: 50 },
    pinnedMemories: [{ title: "Pinned", content: "PINNED-FACT" }],
    relevantMemories: [{ title: "Relevant", content: "RELEVANT-FACT" }],
    recentMessages: [],
    userMessage: "hello",
    budget: { contextTokens: 4_000, replyTokens: 500, persona: 800, memories: 600, history: 1_500 },
  };

  it("puts lore in the system message, kept after the pinned memories and before the relevant ones", () => {
    const prompt = buildChatPrompt({ ...input, lore: ["LORE-ONE", "LORE-TWO"] });
    const system = prompt.messages[0]?.content ?? "";
    for (const s of ["PINNED-FACT", "RELEVANT-FACT", "What is true in your world", "- LORE-ONE\n- LORE-TWO"]) expect(system).toContain(s);
    expect(prompt.dropped.loreEntries).toBe(0);
    expect(buildChatPrompt(input).messages[0]?.content).not.toContain("What is true in your world");
  });

  it("gives way to pinned memories and takes precedence over relevant ones within the memories budget", () => {
    const long = "lore ".repeat(60).trim();
    const prompt = buildChatPrompt({ ...input, lore: [long, long, long], budget: { ...input.budget, memories: 130 } });
    const system = prompt.messages[0]?.content ?? "";
    expect(system).toContain("PINNED-FACT");
    expect(prompt.dropped.loreEntries).toBeGreaterThan(0);
    expect(prompt.dropped.loreEntries).toBeLessThan(3);
    expect(system).not.toContain("RELEVANT-FACT");
    expect(prompt.dropped.relevantMemories).toBe(1);
  });
});
