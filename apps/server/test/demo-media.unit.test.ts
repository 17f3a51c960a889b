import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { renderDemoMedia } from "@companion/db";
import { describe, expect, it } from "vitest";
import { DEMO_MEDIA_DIR } from "../src/media.ts";

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(DEMO_MEDIA_DIR, join(e.parentPath, e.name)).split(sep).join("/"));
}

describe("committed demo media", () => {
  it("is exactly what the generator renders (rerun `pnpm --filter @companion/server media:demo`)", async () => {
    const rendered = renderDemoMedia();
    expect((await listFiles(DEMO_MEDIA_DIR)).sort()).toEqual(rendered.map((f) => f.key).sort());
    for (const file of rendered) expect(await readFile(join(DEMO_MEDIA_DIR, file.key), "utf8"), file.key).toBe(file.content);
  });

  it("renders the same bytes every time", () => {
    expect(renderDemoMedia()).toEqual(renderDemoMedia());
  });
});
