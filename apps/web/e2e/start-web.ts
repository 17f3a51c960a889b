/**
 * The browser tests' web server: the production build's standalone server, what the Docker
 * image's `web` target runs (the API address comes from the environment at request time, not
 * from the build).
 * `next build` runs only when the sources changed since the last build this script made: it
 * fingerprints what goes into the build (src/, the config files, the built @companion/client and
 * Next's version) and keeps it next to the output in .next/, with the BUILD_ID it produced (so a
 * `next build` run by hand since, of other sources, is not taken for this one).
 *
 *   node e2e/start-web.ts <port>        (cwd: apps/web; run by playwright.config.ts)
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
const buildIdFile = join(webDir, ".next", "BUILD_ID");
const stamp = () => `${fingerprint} ${readFileSync(buildIdFile, "utf8").trim()}`;
const built = existsSync(buildIdFile) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp();
if (!built) {
  // Its report goes to stderr only when it fails (Playwright shows the web server's stderr).
  const build = spawnSync("pnpm", ["exec", "next", "build"], { cwd: webDir, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (build.status !== 0) {
    console.error(`${build.stdout}${build.stderr}\nnext build failed (exit ${build.status})`);
    process.exit(1);
  }
  writeFileSync(stampFile, stamp());
}

// As the Dockerfile does: the static files next to the standalone server's .next (Next leaves
// them out of .next/standalone), then its server.js. The layout follows the workspace's, since
// outputFileTracingRoot is the repository root.
const standaloneApp = join(webDir, ".next", "standalone", "apps", "web");
rmSync(join(standaloneApp, ".next", "static"), { recursive: true, force: true });
cpSync(join(webDir, ".next", "static"), join(standaloneApp, ".next", "static"), { recursive: true });
// HOSTNAME "::": every local address, IPv4 and IPv6, as `next start` listens (the tests use localhost).
const server = spawn(process.execPath, [join(standaloneApp, "server.js")], {
  stdio: "inherit",
  env: { ...process.env, NODE_ENV: "production", PORT: port, HOSTNAME: "::" },
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
