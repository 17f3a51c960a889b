import { describe, expect, it } from "vitest";
import { parseExtraction } from "./memory.ts";

const known = { id: "0b7c6a57-3f1e-4f7a-9d8e-1c2b3a4d5e6f", factKey: "home", title: "home", content: "Lives in Leeds.", source: "auto" as const };

describe("parseExtraction", () => {
  it("is null for text that is not JSON of the schema", () => {
    expect(parseExtraction("not json", [])).toBeNull();
    expect(parseExtraction('{"facts": [{"action": "add"}]}', [])).toBeNull();
    expect(parseExtraction('{"facts": [{"action": "forget", "memoryId": null, "key": "k", "content": "c", "importance": 3}]}', [])).toBeNull();
    expect(parseExtraction("[]", [])).toBeNull();
  });

  it("drops ignores, keeps an update only for a memory it was shown, normalizes keys and clamps importance", () => {
    const facts = parseExtraction(
      JSON.stringify({
        facts: [
          { action: "update", memoryId: known.id, key: "Home", content: "Lives in Bristol.", importance: 7 },
          { action: "update", memoryId: "5d1e2f3a-0000-4000-8000-000000000000", key: "  Pet:Rex ", content: "Has a dog, Rex.", importance: 42 },
          { action: "ignore", memoryId: null, key: "name", content: "Their name is Robin.", importance: 9 },
          { action: "add", memoryId: null, key: "likes:tea", content: "Loves tea.", importance: 0.4 },
        ],
      }),
      [known],
    );
    expect(facts).toEqual([
      { memoryId: known.id, key: "home", content: "Lives in Bristol.", importance: 7 },
      { memoryId: undefined, key: "pet:rex", content: "Has a dog, Rex.", importance: 10 },
      { memoryId: undefined, key: "likes:tea", content: "Loves tea.", importance: 1 },
    ]);
  });
});
