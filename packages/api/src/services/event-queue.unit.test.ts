import { describe, expect, it } from "vitest";
import { createEventQueue } from "./event-queue.ts";

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterable) out.push(value);
  return out;
}

describe("createEventQueue", () => {
  it("delivers values pushed before and after the consumer starts, in order, until end", async () => {
    const queue = createEventQueue<number>();
    queue.push(1);
    const result = collect(queue);
    queue.push(2);
    await Promise.resolve();
    queue.push(3);
    queue.end();
    queue.push(4); // after end: dropped
    expect(await result).toEqual([1, 2, 3]);
  });

  it("throws a failure to the consumer after the values already queued", async () => {
    const queue = createEventQueue<string>();
    const seen: string[] = [];
    queue.push("a");
    queue.fail(new Error("save failed"));
    await expect(
      (async () => {
        for await (const value of queue) seen.push(value);
      })(),
    ).rejects.toThrow("save failed");
    expect(seen).toEqual(["a"]);
  });

});
