/**
 * Browser tests of the web app against the real server: `pnpm --filter @companion/web test:e2e`
 * (or `pnpm test:browser` at the root). The server runs from source on a fresh temporary PGlite
 * data dir; the web app is the production build's standalone server, as the Docker image runs it
 * (e2e/start-web.ts: builds only when the sources changed), told this run's API address at start
 * through PUBLIC_API_URL, as a deployment is. `E2E_WEB=dev` runs `next dev` instead (no build: quicker while changing a
 * screen and running one spec). Chromium is the system one (playwright-core downloads nothing):
 * /usr/bin/chromium, or CHROMIUM_PATH.
 */
import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  throw new Error(`Chromium not found at ${chromium}: install it (apt-get install chromium) or set CHROMIUM_PATH`);
}

const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const webDir = fileURLToPath(new URL("..", import.meta.url));
// Ports of their own, so a `pnpm dev` on 3000/3001 does not get in the way.
const apiPort = Number(process.env.E2E_API_PORT ?? 43100);
const webPort = Number(process.env.E2E_WEB_PORT ?? 43101);
const apiUrl = `http://127.0.0.1:${apiPort}`;
const webUrl = `http://localhost:${webPort}`;
// A fresh path, created by the server itself: Playwright loads this file in more than one
// process, and only the first one's value (inherited by the rest through the env) is used.
process.env.E2E_DATA_DIR ??= join(tmpdir(), `companion-web-e2e-${Date.now()}-${process.pid}`);

export default defineConfig({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  globalTeardown: "./global-teardown.ts",
  use: {
    baseURL: webUrl,
    trace: "retain-on-failure",
    launchOptions: { executablePath: chromium },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], launchOptions: { executablePath: chromium } } }],
  webServer: [
    {
      name: "api",
      command: `"${process.execPath}" apps/server/src/main.ts`,
      cwd: repoRoot,
      url: `${apiUrl}/readyz`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: "ignore",
      stderr: "pipe",
      env: {
        DATA_DIR: process.env.E2E_DATA_DIR,
        HOST: "127.0.0.1",
        PORT: String(apiPort),
        CORS_ORIGINS: webUrl,
        LOG_LEVEL: "warn",
        // The offline persona's words arrive spread out, as a model's do: the chat spec sees a reply grow.
        AI_OFFLINE_TOKEN_DELAY_MS: "30",
        JWT_SECRET: "e2e-only-secret-e2e-only-secret-0123456789",
      },
    },
    {
      name: "web",
      command:
        process.env.E2E_WEB === "dev" ? `pnpm exec next dev --port ${webPort}` : `"${process.execPath}" e2e/start-web.ts ${webPort}`,
      cwd: webDir,
      url: `${webUrl}/sign-in`,
      reuseExistingServer: false,
      timeout: 240_000, // includes a next build when the sources changed
      stdout: "ignore",
      stderr: "pipe",
      env: { PUBLIC_API_URL: apiUrl, API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: "1" },
    },
  ],
});
