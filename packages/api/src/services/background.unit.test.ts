import { describe, expect, it } from "vitest";
import { createBackgroundTasks, type ServiceLogger } from "./background.ts";

const silent = (errors: unknown[]): ServiceLogger => ({ error: (obj) => errors.push(obj), warn: () => {} });

describe("createBackgroundTasks", () => {
  it("drain waits for tracked tasks and for the tasks they track in turn", async () => {
    const tasks = createBackgroundTasks(silent([]));
    const done: string[] = [];
    tasks.track(
      "outer",
      new Promise<void>((resolve) =>
        setTimeout(() => {
          done.push("outer");
          tasks.track("inner", new Promise<void>((r) => setTimeout(() => (done.push("inner"), r()), 10)));
          resolve();
        }, 10),
      ),
    );
    await tasks.drain();
    expect(done).toEqual(["outer", "inner"]);
    expect(tasks.pending).toBe(0);
  });

  it("logs a failed task instead of throwing it at anyone", async () => {
    const errors: unknown[] = [];
    const tasks = createBackgroundTasks(silent(errors));
    tasks.track("doomed", Promise.reject(new Error("boom")));
    await tasks.drain();
    expect(errors).toEqual([expect.objectContaining({ task: "doomed" })]);
  });
});
