import { describe, expect, it } from "vitest";
import { routeLabels } from "../src/metrics.ts";

const procedures = new Set(["stories.feed", "auth.me"]);
const labels = (path: string) => routeLabels(path, procedures, 3);

describe("routeLabels: what a request counts as", () => {
  it("a procedure, each one of a batch", () => {
    expect(labels("/trpc/stories.feed")).toEqual(["stories.feed"]);
    expect(labels("/trpc/stories.feed,auth.me,stories.feed")).toEqual(["stories.feed", "auth.me", "stories.feed"]);
  });

  it("other for an unknown procedure, and once for a batch larger than allowed", () => {
    expect(labels("/trpc/stories.feed,users.secret")).toEqual(["stories.feed", "other"]);
    expect(labels("/trpc/auth.me,auth.me,auth.me,auth.me")).toEqual(["other"]);
    expect(labels("/trpc/")).toEqual(["other"]);
  });

  it("fixed names for our other routes, other for the rest", () => {
    expect(labels("/healthz")).toEqual(["/healthz"]);
    expect(labels("/metrics")).toEqual(["/metrics"]);
    expect(labels("/media/u/123/abc.png")).toEqual(["/media"]);
    expect(labels("/uploads/u/123/abc.png")).toEqual(["/uploads"]);
    expect(labels("/users/123")).toEqual(["other"]);
    expect(labels("/healthz/x")).toEqual(["other"]);
  });
});
