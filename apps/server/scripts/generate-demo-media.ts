/**
 * Writes the demo media (story slides and avatars, rendered by @companion/db's
 * renderDemoMedia) under apps/server/media, which the server serves at /media/.
 * Deterministic: rerun after changing the demo stories and commit the result.
 *
 *   pnpm --filter @companion/server media:demo
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { renderDemoMedia } from "@companion/db";
import { DEMO_MEDIA_DIR } from "../src/media.ts";

const files = renderDemoMedia();
for (const file of files) {
  const path = join(DEMO_MEDIA_DIR, file.key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, file.content);
}
process.stdout.write(`wrote ${files.length} files under ${DEMO_MEDIA_DIR}\n`);
