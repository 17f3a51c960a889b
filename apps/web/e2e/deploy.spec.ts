/**
 * The deployment settings, on the production build the suite runs: the browser gets the API
 * address this server was started with (PUBLIC_API_URL, not a build-time value), the pages carry
 * the security headers, and signing up and browsing the companions (tRPC calls, the session
 * route handlers, avatars from the API's /media) trips no Content Security Policy violation.
 */
import { expect, test } from "@playwright/test";

const apiUrl = `http://127.0.0.1:${process.env.E2E_API_PORT ?? 43100}`;

test("runtime API address, security headers, no CSP violation while signing up and browsing", async ({ page }) => {
  // Collected in the page from its first script on: a blocked script, fetch or image reports here.
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.assign(window, { __cspViolations: seen });
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });

  const response = await page.goto("/sign-up");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
  expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(policy).toContain(`connect-src 'self' ${apiUrl}`);
  expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
  expect(await page.evaluate(() => window.__COMPANION_CONFIG__?.apiUrl)).toBe(apiUrl);

  await page.getByLabel("Display name").fill("Deploy check");
  await page.getByLabel("Email").fill(`e2e-deploy-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);
  const cards = page.getByRole("list", { name: "Companions" }).getByRole("article");
  await expect(cards.first()).toBeVisible();
  // The demo companions' avatars come from the API origin: img-src lets them load.
  await expect.poll(() => cards.locator("img").first().evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  expect(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
});
