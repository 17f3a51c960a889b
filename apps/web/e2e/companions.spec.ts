/**
 * The first-run path: sign up (a field error from the server first), browse the companions,
 * connect, open a profile; a reload keeps the session (refresh cookie); sign out ends it.
 * Screenshots of each screen go to e2e/screenshots/ (gitignored).
 */
import { expect, test, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

const shots = fileURLToPath(new URL("./screenshots/", import.meta.url));
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

test("sign up, browse companions, connect, open a profile, reload, sign out", async ({ page }) => {
  const email = `e2e-${Date.now()}@example.com`;

  await page.goto("/sign-up");
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
  await page.getByLabel("Display name").fill("Playwright");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The server's BAD_REQUEST names the field; the form shows it under the input.
  await expect(page.getByLabel("Password")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "sign-up-field-error");

  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);
  await expect(page.getByRole("heading", { name: "Companions", level: 1 })).toBeVisible();
  const cards = page.getByRole("list", { name: "Companions" }).getByRole("article");
  await expect(cards.first()).toBeVisible();
  await screenshot(page, "companions");

  const first = cards.first();
  const name = (await first.getByRole("heading").innerText()).trim();
  await first.getByRole("button", { name: `Connect with ${name}` }).click();
  await expect(first.getByRole("link", { name: "Open chat" })).toBeVisible();

  await first.getByRole("link", { name }).click();
  await expect(page).toHaveURL(/\/companions\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "Open chat" })).toBeVisible();
  await screenshot(page, "companion-profile");

  // The access token was in memory only: a reload gets a new one from the refresh cookie.
  await page.reload();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

  await page.setViewportSize({ width: 375, height: 812 });
  await page.goto("/companions");
  await expect(cards.first()).toBeVisible();
  await screenshot(page, "companions-375");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await screenshot(page, "sign-in");
  await page.goto("/companions");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcompanions$/);
});
