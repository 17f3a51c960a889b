/**
 * Own companions: create one (a field error from the server first), find it in "My companions",
 * connect and chat with it once, then delete it. Screenshots go to e2e/screenshots/.
 */
import { expect, test, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

// A 1×1 PNG: the avatar goes through media.createUpload, the PUT to /uploads/ and completeUpload.
const PIXEL_PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

const shots = fileURLToPath(new URL("./screenshots/", import.meta.url));
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

test("create my own companion, see it in mine, chat with it once, delete it", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Display name").fill("Maker");
  await page.getByLabel("Email").fill(`e2e-own-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);

  await page.getByRole("link", { name: "Create a companion" }).click();
  await expect(page.getByRole("heading", { name: "Create a companion", level: 1 })).toBeVisible();
  // No name: the server's BAD_REQUEST names the field and the form shows it there.
  await page.getByRole("button", { name: "Create companion" }).click();
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await screenshot(page, "companion-new-field-error");

  const name = `Nova ${Date.now() % 100000}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Tagline").fill("A test pilot who loves stars");
  await page.getByLabel("Traits (comma-separated)").fill("curious, calm");
  await page.getByLabel("Personality").fill("Warm and curious.");
  await page.getByLabel("Avatar image").setInputFiles({ name: "avatar.png", mimeType: "image/png", buffer: PIXEL_PNG });
  await page.getByRole("button", { name: "Create companion" }).click();
  await expect(page).toHaveURL(/\/companions\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  // Mine (ownedByMe): its profile offers Edit, not Report.
  await expect(page.getByRole("link", { name: `Edit ${name}` })).toHaveAttribute("href", /\/edit$/);
  await expect(page.locator("img.avatar")).toHaveJSProperty("complete", true);
  expect(await page.locator("img.avatar").evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);

  await page.goto("/companions/mine");
  const mine = page.getByRole("list", { name: "My companions" });
  await expect(mine.getByRole("heading", { name })).toBeVisible();
  await screenshot(page, "companions-mine");

  await mine.getByRole("link", { name, exact: true }).click();
  await page.getByRole("button", { name: `Connect with ${name}` }).click();
  await page.getByRole("link", { name: "Open chat" }).click();
  await page.getByLabel("Message").fill("Hello, my own companion!");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".reply-region")).toHaveAttribute("data-state", "done");
  await expect(page.getByRole("log").getByRole("article", { name: new RegExp(`^${name},`) }).last().locator(".message__text")).not.toBeEmpty();
  await screenshot(page, "own-companion-chat");

  // Export it as a JSON card (a download) and import that file back: a second, private copy.
  await page.goto("/companions/mine");
  const downloading = page.waitForEvent("download");
  await mine.getByRole("button", { name: `Export ${name} as JSON card` }).click();
  const card = await (await downloading).path();
  await page.getByLabel("Import a Character Card (.png or .json)").setInputFiles(card);
  await expect(page).toHaveURL(/\/companions\/[0-9a-f-]{36}\/edit$/);
  await expect(page.getByLabel("Name")).toHaveValue(name);
  await expect(page.getByLabel("Personality")).toHaveValue("Warm and curious.");
  await screenshot(page, "companion-edit-imported");

  await page.goto("/companions/mine");
  await expect(mine.getByRole("heading", { name })).toHaveCount(2);
  page.on("dialog", (dialog) => void dialog.accept());
  await mine.getByRole("button", { name: `Delete ${name}` }).first().click();
  await expect(mine.getByRole("heading", { name })).toHaveCount(1);
  await mine.getByRole("button", { name: `Delete ${name}` }).click();
  await expect(mine.getByRole("heading", { name })).toHaveCount(0);
  await expect(page.getByText("You have not made a companion yet.")).toBeVisible();
});
