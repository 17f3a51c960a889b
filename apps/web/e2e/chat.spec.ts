/**
 * The chat: sign up, connect a demo companion, open the chat, send a message and watch the reply
 * stream in (the offline AI sends it word by word), save it as a memory, regenerate it, and find
 * the conversation in the inbox with its last message. Screenshots go to e2e/screenshots/.
 */
import { expect, test, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";

const shots = fileURLToPath(new URL("./screenshots/", import.meta.url));
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

test("send a message, watch the reply stream, save it as a memory, regenerate, see the inbox", async ({ page }) => {
  await page.goto("/sign-up");
  await page.getByLabel("Display name").fill("Chatter");
  await page.getByLabel("Email").fill(`e2e-chat-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);

  const first = page.getByRole("list", { name: "Companions" }).getByRole("article").first();
  const name = (await first.getByRole("heading").innerText()).trim();
  await first.getByRole("button", { name: `Connect with ${name}` }).click();
  await first.getByRole("link", { name: "Open chat" }).click();
  await expect(page).toHaveURL(/\/chats\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();

  const log = page.getByRole("log", { name: `Conversation with ${name}` });
  const reply = page.locator(".reply-region");
  await page.getByLabel("Message").fill("I saw a meteor shower last night!");
  // Everything the reply region shows while the reply streams (the server's offline persona
  // paces its words, AI_OFFLINE_TOKEN_DELAY_MS in playwright.config.ts, as a model would).
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { __replyTexts: string[] }).__replyTexts = seen;
    new MutationObserver(() => {
      const region = document.querySelector(".reply-region");
      if (region?.getAttribute("data-state") === "streaming") seen.push(region.querySelector(".prewrap")?.textContent ?? "");
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  await page.getByRole("button", { name: "Send" }).click();
  // The reply arrives as several token events, then `done` with the saved text.
  await expect(reply).toHaveAttribute("data-state", "done");
  expect(Number(await reply.getAttribute("data-tokens"))).toBeGreaterThan(1);
  // It was painted growing: several different partial texts, each a prefix of the next.
  const painted = [...new Set(await page.evaluate(() => (window as unknown as { __replyTexts: string[] }).__replyTexts))].filter((text) => text !== "" && text !== "…");
  expect(painted.length).toBeGreaterThan(2);
  painted.slice(1).forEach((text, i) => expect(text.startsWith(painted[i] ?? "")).toBe(true));
  const lastReply = log.getByRole("article", { name: new RegExp(`^${name},`) }).last();
  await expect(lastReply.locator(".message__text")).not.toBeEmpty();
  await expect(log.getByText("I saw a meteor shower last night!")).toBeVisible();
  await screenshot(page, "chat-conversation");

  await lastReply.getByRole("button", { name: "Save as memory" }).click();
  await lastReply.getByRole("button", { name: "Yes, save memory" }).click();
  await expect(lastReply.getByText("Saved as a memory ✓")).toBeVisible();

  await lastReply.getByRole("button", { name: "Regenerate reply" }).click();
  await expect(reply).toHaveAttribute("data-state", "done");
  const regenerated = log.getByRole("article", { name: new RegExp(`^${name},`) }).last();
  await expect(regenerated.getByText("Version 2 of 2")).toBeVisible();
  await regenerated.getByRole("button", { name: "See all 2 versions" }).click();
  await expect(regenerated.getByRole("list", { name: "Versions of the reply" }).getByRole("listitem")).toHaveCount(2);
  await screenshot(page, "chat-regenerated");

  const finalText = (await regenerated.locator(".message__text").innerText()).trim();
  await page.getByRole("link", { name: "Back to chats" }).click();
  await expect(page).toHaveURL(/\/chats$/);
  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link", { name: new RegExp(name) });
  await expect(row).toBeVisible();
  await expect(row).toContainText(finalText.slice(0, 20));
  await screenshot(page, "chats-inbox");

  // Full-text search over my messages finds what I wrote and links back to the chat.
  await page.getByRole("link", { name: "Search messages and memories" }).click();
  await page.getByLabel("Search my conversations and memories").fill("meteor");
  await page.getByRole("button", { name: "Search" }).click();
  const results = page.getByRole("list", { name: "Results" });
  await expect(results.getByRole("listitem").first()).toBeVisible();
  await expect(results.locator("mark").first()).toHaveText(/meteor/i);
  const open = results.getByRole("link", { name: `Open the chat with ${name}` }).first();
  await expect(open).toBeVisible();
  await screenshot(page, "search");
  await open.click();
  await expect(page).toHaveURL(/\/chats\/[0-9a-f-]{36}$/);
  await page.setViewportSize({ width: 375, height: 812 });
  await expect(log.getByText("I saw a meteor shower last night!")).toBeVisible();
  await screenshot(page, "chat-conversation-375");
});
