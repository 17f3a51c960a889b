import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root (or the app root of a production image): the nearest folder above
 * this module that holds `drizzle/meta/_journal.json`. Found by walking up, so it is the
 * same whether this runs from packages/db/src under tsx or bundled into apps/<app>/dist.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "drizzle", "meta", "_journal.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}

export const repoRoot = findRoot();

/** The repository's `drizzle/` folder: generated SQL plus hand-written migrations. */
export const migrationsFolder = join(repoRoot, "drizzle");
