/**
 * The browser tests' web server: the production build under `next start`, the way the app is
 * deployed (the API address comes from the environment at request time, not from the build).
 * `next build` runs only when the sources changed since the last build this script made: it
 * fingerprints what goes into the build (src/, the config files, the built @companion/client and
 * Next's version) and keeps the fingerprint next to the output in .next/.
 *
 *   node e2e/start-web.ts <port>        (cwd: apps/web; run by playwright.config.ts)
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const clientDist = fileURLToPath(new URL("../../../packages/client/dist", import.meta.url));
const stampFile = join(webDir, ".next", "e2e-build-fingerprint");
const port = process.argv[2];
if (!port) throw new Error("usage: node e2e/start-web.ts <port>");

/** Every file under dir, sorted, so the fingerprint does not depend on readdir's order. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const inputs = [
    ...filesUnder(join(webDir, "src")),
    ...["next.config.ts", "tsconfig.json", "package.json"].map((name) => join(webDir, name)),
    join(webDir, "node_modules", "next", "package.json"),
    ...filesUnder(clientDist),
  ];
  for (const path of inputs) {
    hash.update(relative(webDir, path)).update("\0");
    if (existsSync(path)) hash.update(readFileSync(path));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const fingerprint = sourceFingerprint();
const built =
  existsSync(join(webDir, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === fingerprint;
if (!built) {
  // Its report goes to stderr only when it fails (Playwright shows the web server's stderr).
  const build = spawnSync("pnpm", ["exec", "next", "build"], { cwd: webDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (build.status !== 0) {
    console.error(`${build.stdout}${build.stderr}\nnext build failed (exit ${build.status})`);
    process.exit(1);
  }
  writeFileSync(stampFile, fingerprint);
}

// `next start`, not the standalone server.js: same server code, and no copying of static files.
const server = spawn("pnpm", ["exec", "next", "start", "--port", port], { cwd: webDir, stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
