import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldForLeakGuard } from "./fold.ts";
import { createLeakGuard, guardText, LEAK_GUARD_DEFAULTS } from "./guard.ts";

const PROMPT = "You are Nova, a lighthouse keeper who loves tide pools, old maps and storms at sea.";
const CATCHPHRASE = "Ahoy, matey!";
const SECRETS = [PROMPT, CATCHPHRASE, "shy"];

const streamed = (secrets: readonly string[], chunks: readonly string[]) => {
  const guard = createLeakGuard(secrets);
  return chunks.map((c) => guard.push(c)).join("") + guard.end();
};

describe("guardText", () => {
  it("removes a secret quoted whole, keeping what surrounds it", () => {
    expect(guardText(SECRETS, `Sure! My instructions are: ${PROMPT} Anything else?`)).toBe("Sure! My instructions are: …. Anything else?");
  });

  it("removes a long verbatim span of a secret, not a short one", () => {
    expect(guardText(SECRETS, "Well, a lighthouse keeper who loves tide pools, that is me.")).toBe("Well, …, that is me.");
    expect(guardText(SECRETS, "I love tide pools, old maps too.")).toBe("I love tide pools, old maps too.");
  });

  it("catches the secret with its case, whitespace, punctuation or letter spacing changed", () => {
    for (const evasion of [
      PROMPT.toUpperCase(),
      PROMPT.replace(/ /g, "\n\n  "),
      PROMPT.replace(/[,.]/g, " -- "),
      PROMPT.split("").join(" "),
      PROMPT.replace(/ /g, "\u200b"),
      `**You are Nova**, _a lighthouse keeper_ who loves "tide pools", old maps and storms at sea!`,
    ]) {
      // What is left is the punctuation around the span (a span ends at a letter or digit).
      const out = guardText(SECRETS, `Here: ${evasion} Done.`);
      expect(out, evasion).toContain("…");
      expect(foldForLeakGuard(out), evasion).toBe("heredone");
    }
  });

  it("catches compatibility forms and accents (NFKD)", () => {
    const fullwidth = "ｙｏｕ ａｒｅ ｎｏｖａ， ａ ｌｉｇｈｔｈｏｕｓｅ ｋｅｅｐｅｒ";
    expect(guardText(SECRETS, `${fullwidth}!`)).toBe("…!");
    expect(guardText(["Élodie grew up on the île de Ré ferry"], "elodie grew up on the ile de re ferry")).toBe("…");
  });

  it("catches the JSON-escaped form of a secret with quotes and newlines", () => {
    const secret = 'She says "never" to strangers\nand keeps a log of every storm.';
    const json = JSON.stringify({ prompt: secret });
    expect(guardText([secret], json)).toBe('{"prompt":"…."}');
    expect(guardText([secret], "she says \\u006eever to strangers and keeps a log")).toBe("…");
  });

  it("removes a short secret (≥ minSecret) wherever it appears whole, and ignores shorter ones", () => {
    expect(guardText(SECRETS, "Well, ahoy matey! I am shy.")).toBe("Well, …! I am shy.");
    expect(guardText(SECRETS, "Ahoy there, mate.")).toBe("Ahoy there, mate.");
  });

  it("merges touching matches into one marker and keeps separate ones apart", () => {
    expect(guardText(SECRETS, `${CATCHPHRASE} ${PROMPT}`)).toBe("….");
    expect(guardText(SECRETS, `${CATCHPHRASE} and then ${CATCHPHRASE}`)).toBe("…! and then …!");
  });

  it("leaves text alone when there is nothing to guard", () => {
    expect(guardText([], PROMPT)).toBe(PROMPT);
    expect(guardText(["", "  ", "hi"], PROMPT)).toBe(PROMPT);
    expect(guardText(SECRETS, "")).toBe("");
  });

  it("takes a custom marker and thresholds", () => {
    expect(guardText(SECRETS, `x ${CATCHPHRASE} y`, { marker: "[removed]" })).toBe("x [removed]! y");
    expect(guardText(SECRETS, "I love tide pools, old maps too.", { minSpan: 12 })).toBe("I love … too.");
  });

  // What it does not catch (docs/anti-leak.md, "Limits"): these pass through unchanged.
  it("does not catch paraphrase, encodings or spans shorter than minSpan", () => {
    const base64 = Buffer.from(PROMPT).toString("base64");
    const interleaved = "You are Nova, a lighthouse (ok) keeper who loves (ok) tide pools, old maps (ok) and storms at sea.";
    for (const text of [base64, interleaved, "I am Nova and I keep a lighthouse; I adore rock pools."]) {
      expect(guardText(SECRETS, text)).toBe(text);
    }
  });
});

describe("createLeakGuard (streaming)", () => {
  it("releases text as it becomes final, holding back less than minSpan folded characters", () => {
    const guard = createLeakGuard(SECRETS);
    const text = "The harbor was calm tonight and the gulls were asleep on the old pier.";
    const out = guard.push(text);
    expect(text.startsWith(out)).toBe(true);
    expect(foldForLeakGuard(text.slice(out.length)).length).toBeLessThan(LEAK_GUARD_DEFAULTS.minSpan);
    expect(out + guard.end()).toBe(text);
  });

  it("holds back only an end that a secret contains: text sharing nothing with the persona streams at once", () => {
    const guard = createLeakGuard(SECRETS);
    // No secret has a "z": everything is released at once (the space waits for the next character).
    expect(guard.push("Zzz quiz jazz ")).toBe("Zzz quiz jazz");
    // "lo" occurs in a secret ("loves"), "llo" in none: only those two letters wait.
    expect(guard.push("hello")).toBe(" hel");
    expect(guard.end()).toBe("lo");
  });

  it("never releases a secret's first characters before knowing it is one", () => {
    const guard = createLeakGuard(SECRETS);
    let shown = "";
    for (const ch of `Okay: ${PROMPT}`) shown += guard.push(ch);
    expect(shown).toBe("Okay: …");
    expect(guard.end()).toBe(".");
  });

  it("starts over after reset, dropping what it held", () => {
    const guard = createLeakGuard(SECRETS);
    guard.push("You are Nova, a lighthouse");
    guard.reset();
    expect(guard.push("Hello there") + guard.end()).toBe("Hello there");
  });

  it("holds a split escape or surrogate pair until it is complete", () => {
    expect(streamed(["a secret with an é and 🐙 octopus inside it"], ["a secret with an \\", "u00e9 and \ud83d", "\udc19 octopus inside it"])).toBe("…");
  });
});

describe("properties", () => {
  const alphabet = fc.constantFrom(..."aAbBcC d.e,\n\\u\"é🐙\u200b0".split(/(?=[\s\S])/u));
  const text = fc.array(alphabet, { maxLength: 120 }).map((cs) => cs.join(""));
  const secrets = fc.array(fc.oneof(text, fc.constantFrom(PROMPT, CATCHPHRASE)), { maxLength: 4 });

  it("push + end equals guardText on the whole text, however it is cut", () => {
    fc.assert(
      fc.property(secrets, text, fc.array(fc.nat(), { maxLength: 10 }), (s, t, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (t.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points, t.length].slice(1).map((end, i, ends) => t.slice(i === 0 ? 0 : ends[i - 1], end));
        expect(streamed(s, chunks)).toBe(guardText(s, t));
      }),
      { numRuns: 500 },
    );
  });

  it("no piece of the output between markers holds a minSpan window of a secret or a whole short secret", () => {
    const { minSpan, minSecret } = LEAK_GUARD_DEFAULTS;
    fc.assert(
      fc.property(fc.constantFrom(PROMPT, "Never tell anyone about the map room under the stairs"), text, text, (secret, before, after) => {
        const folded = foldForLeakGuard(secret);
        const windows = Array.from({ length: folded.length - minSpan + 1 }, (_, i) => folded.slice(i, i + minSpan));
        const out = guardText([secret, CATCHPHRASE], `${before}${secret.slice(3, 60)}${after}${CATCHPHRASE}`);
        for (const piece of out.split(LEAK_GUARD_DEFAULTS.marker).map(foldForLeakGuard)) {
          for (const w of windows) expect(piece.includes(w)).toBe(false);
          if (foldForLeakGuard(CATCHPHRASE).length >= minSecret) expect(piece.includes(foldForLeakGuard(CATCHPHRASE))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("leaves text that shares nothing with the secrets unchanged", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(..."xyz XYZ,!\n"), { maxLength: 200 }), (cs) => {
        const t = cs.join("");
        expect(guardText(SECRETS, t)).toBe(t);
      }),
    );
  });
});
