/**
 * Issue 17's screens in one path: memories (add, pin, edit: pinned first), insights (the chart
 * or its empty state), the account page (display name and avatar, password change with its field
 * error, sign out everywhere and in again with the new one, data export until ready), reporting a companion, and
 * deleting the account (signing in again then fails). Screenshots go to e2e/screenshots/.
 */
import { expect, test, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

const shots = fileURLToPath(new URL("./screenshots/", import.meta.url));
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

// A 1×1 PNG, written by the test: the avatar upload goes through createUpload → PUT → completeUpload.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("memories, insights, account, report, delete the account", async ({ page }) => {
  const email = `e2e-account-${Date.now()}@example.com`;
  const firstPassword = "a long enough password";
  const newPassword = "an even longer new password";

  await page.goto("/sign-up");
  await page.getByLabel("Display name").fill("Account Tester");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(firstPassword);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);

  // Memories are per relationship: connect with the first companion.
  const card = page.getByRole("list", { name: "Companions" }).getByRole("article").first();
  const companion = (await card.getByRole("heading").innerText()).trim();
  await card.getByRole("button", { name: `Connect with ${companion}` }).click();
  await expect(card.getByRole("link", { name: "Open chat" })).toBeVisible();

  // Two memories by hand; the older one pinned comes first all the same.
  await page.getByRole("link", { name: "Memories" }).click();
  await expect(page.getByRole("heading", { name: "Memories", level: 1 })).toBeVisible();
  const memories = page.getByRole("list", { name: "My memories" }).getByRole("listitem");
  await page.getByLabel("Title (optional)").fill("Tea");
  await page.getByLabel("What should they remember?").fill("I love green tea.");
  await page.getByRole("button", { name: "Add memory" }).click();
  await expect(memories).toHaveCount(1);
  await page.getByLabel("What should they remember?").fill("My cat is called Miso.");
  await page.getByRole("button", { name: "Add memory" }).click();
  await expect(memories).toHaveCount(2);
  await expect(memories.first()).toContainText("Miso");

  await page.getByRole("button", { name: "Pin “Tea”" }).click();
  await expect(memories.first()).toContainText("Pinned");
  await expect(memories.first()).toContainText("green tea");
  await page.getByRole("button", { name: "Edit “Tea”" }).click();
  await memories.first().getByLabel("Content").fill("I love green tea, no sugar.");
  await memories.first().getByRole("button", { name: "Save memory" }).click();
  await expect(memories.first()).toContainText("no sugar");
  await screenshot(page, "memories");

  await page.getByRole("link", { name: "Insights" }).click();
  await expect(page.getByRole("heading", { name: "Insights", level: 1 })).toBeVisible();
  await expect(page.getByRole("figure")).toContainText(`${companion}'s mood`);
  await expect(page.getByRole("heading", { name: "Weekly digests" })).toBeVisible();
  await screenshot(page, "insights");
  await page.setViewportSize({ width: 375, height: 812 });
  await screenshot(page, "insights-375");
  await page.getByRole("link", { name: "Memories" }).click();
  await expect(memories.first()).toContainText("no sugar");
  await screenshot(page, "memories-375");
  await page.setViewportSize({ width: 1280, height: 720 });

  // Profile: a new display name and an avatar.
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  await page.getByLabel("Display name").fill("Renamed Tester");
  await page.getByLabel("Avatar image").setInputFiles({ name: "avatar.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();
  await expect(page.getByRole("img", { name: "Your avatar" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Your avatar" })).toHaveJSProperty("complete", true);
  expect(await page.getByRole("img", { name: "Your avatar" }).evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await expect(page.locator(".profile__header strong")).toHaveText("Renamed Tester");

  // Password: the wrong current one is a field error first.
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Current password").fill(firstPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Password changed.")).toBeVisible();
  await screenshot(page, "account");

  // Sign out everywhere: the API ends every session and this browser's cookie goes too (a reload stays signed out).
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await page.getByRole("dialog", { name: "Sign out on every device?" }).getByRole("button", { name: "Sign out everywhere now" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  await page.goto("/account");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount$/);
  await signIn(page, email, newPassword);
  await expect(page).toHaveURL(/\/companions$/);

  // Data export: a job; the page polls until the download link shows.
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Request a data export" }).click();
  await expect(page.getByRole("link", { name: "Download my data" })).toBeVisible({ timeout: 30_000 });
  await screenshot(page, "account-export-ready");

  // Report the companion from its profile.
  await page.goto("/companions");
  await page.getByRole("link", { name: companion }).first().click();
  await expect(page.getByRole("heading", { name: companion, level: 1 })).toBeVisible();
  await page.getByRole("button", { name: `Report ${companion}` }).click();
  const dialog = page.getByRole("dialog", { name: `Report ${companion}` });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel("Impersonation").check();
  await dialog.getByLabel("Anything we should know? (optional)").fill("Playwright test report.");
  await screenshot(page, "report-dialog");
  await dialog.getByRole("button", { name: "Send report" }).click();
  await expect(page.getByText("Your report was sent.")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Report ${companion}` })).toBeFocused();

  // Delete the account: password again, then /sign-up; the old credentials no longer work.
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("button", { name: "Delete my account…" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete your account for good?" });
  await confirm.getByLabel("Your password").fill(newPassword);
  await screenshot(page, "delete-account");
  await confirm.getByRole("button", { name: "Delete my account permanently" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await signIn(page, email, newPassword);
  await expect(page.getByText("Wrong email or password.")).toBeVisible();

  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send me a reset link" }).click();
  await expect(page.getByRole("status")).toContainText("a link to choose a new password is on its way");
  await screenshot(page, "forgot-password");
});
