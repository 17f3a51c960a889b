import { describe, expect, it } from "vitest";
import { fillMacros } from "./macros.ts";

const names = { char: "Luna", user: "Ana" };

describe("fillMacros", () => {
  it("fills {{char}} and {{user}} in any case and with inner spaces", () => {
    expect(fillMacros("Hi {{user}}, I'm {{char}}. {{USER}}? {{ Char }}!", names)).toBe("Hi Ana, I'm Luna. Ana? Luna!");
  });

  it("fills the legacy <USER>, <BOT> and <CHAR> spellings", () => {
    expect(fillMacros("<BOT> waves at <USER>; <char> and <user>", names)).toBe("Luna waves at Ana; Luna and Ana");
  });

  it("leaves text without macros, and unknown macros, as written", () => {
    expect(fillMacros("Hello there {{random}} <b>bold</b> {char}", names)).toBe("Hello there {{random}} <b>bold</b> {char}");
    expect(fillMacros("", names)).toBe("");
  });

  it("never expands a name that reads like a macro", () => {
    expect(fillMacros("{{user}} meets {{char}}", { char: "{{user}}", user: "<BOT>" })).toBe("<BOT> meets {{user}}");
  });

  it("inserts names with $ patterns literally", () => {
    expect(fillMacros("Hi {{user}}", { char: "Luna", user: "$& $1 $$" })).toBe("Hi $& $1 $$");
  });
});
