/**
 * Two people, two browser contexts: A posts a story with an uploaded picture; B opens A's
 * profile link and follows A, and A's badge goes up live with the follow in A's list; B opens
 * the feed, taps through A's story, reacts and reports it, and A's badge and list change live
 * again; B also reacts to a demo companion's story. The person page shows A's name and counts. Screenshots of each screen go to e2e/screenshots/.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const shots = fileURLToPath(new URL("./screenshots/", import.meta.url));
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${shots}${name}.png`, fullPage: true });

/** CRC-32 of a PNG chunk (type and data). */
function crc32(bytes: Buffer): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

/** A tiny real PNG (16×16, one colour), so the upload is an image the browser can show. */
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const size = 16;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(size * 3, Buffer.from([0x7c, 0x3a, 0xed]))]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

async function signUp(browser: Browser, baseURL: string | undefined, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/sign-up");
  await page.getByLabel("Display name").fill(name);
  await page.getByLabel("Email").fill(`e2e-${name.toLowerCase()}-${Date.now()}@example.com`);
  await page.getByLabel("Password").fill("a long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/companions$/);
  return page;
}

const badge = (page: Page) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Notifications/ });

test("post a story, follow, view, react: notifications arrive live", async ({ browser, baseURL }) => {
  const a = await signUp(browser, baseURL, "Ada");

  // A posts a story: upload through the browser, with a preview first.
  await a.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stories" }).click();
  await a.getByRole("link", { name: "New story" }).click();
  await expect(a.getByRole("heading", { name: "New story", level: 1 })).toBeVisible();
  await a.getByLabel("Picture or video").setInputFiles({ name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
  await a.getByRole("button", { name: "Post story" }).click();
  // The server refuses the type; the form shows it on the file input.
  await expect(a.getByLabel("Picture or video")).toHaveAttribute("aria-invalid", "true");
  await a.getByLabel("Picture or video").setInputFiles({ name: "hello.png", mimeType: "image/png", buffer: png() });
  await expect(a.getByRole("img", { name: "Preview of the new story" })).toBeVisible();
  await a.getByLabel("Caption (optional)").fill("Hello from Ada");
  await screenshot(a, "story-new-preview");
  await a.getByRole("button", { name: "Post story" }).click();
  await expect(a).toHaveURL(/\/stories$/);
  await expect(a.getByRole("list", { name: "My live stories" }).getByText("Hello from Ada")).toBeVisible();
  const profileLink = a.getByRole("region", { name: "My profile link" }).getByRole("link");
  await expect(profileLink).toHaveText(/\/people\/[0-9a-f-]{36}$/);
  const profileUrl = (await profileLink.innerText()).trim();
  await expect(badge(a)).toHaveAccessibleName("Notifications");

  // B follows A through the link; A's badge goes up without a reload.
  const b = await signUp(browser, baseURL, "Bea");
  await b.goto(profileUrl);
  // The person page (social.profile): A's name and counts, before and after the follow.
  await expect(b.getByRole("heading", { name: "Ada", level: 1 })).toBeVisible();
  await expect(b.getByText("0 followers · 0 following")).toBeVisible();
  await b.getByRole("button", { name: "Follow Ada" }).click();
  await expect(b.getByRole("button", { name: "Unfollow Ada" })).toBeVisible();
  await expect(b.getByText("1 follower · 0 following")).toBeVisible();
  await expect(b.getByRole("button", { name: "Mute Ada" })).toBeVisible();
  await expect(b.getByRole("button", { name: "Block Ada" })).toBeVisible();
  await expect(b.getByRole("list", { name: "Followers" }).getByRole("link", { name: "Bea" })).toBeVisible();
  await screenshot(b, "person");
  await expect(badge(a)).toHaveAccessibleName("Notifications 1 unread");
  await a.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /^Notifications/ }).click();
  await expect(a.getByRole("list", { name: "Notifications" }).getByRole("link", { name: "Bea started following you" })).toBeVisible();

  // B connects with a demo companion, then opens the feed: A's story and the companion's.
  const card = b.getByRole("list", { name: "Companions" }).getByRole("article").first();
  await b.goto("/companions");
  const companion = (await card.getByRole("heading").innerText()).trim();
  await card.getByRole("button", { name: `Connect with ${companion}` }).click();
  await expect(card.getByRole("link", { name: "Open chat" })).toBeVisible();
  await b.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Stories" }).click();
  const authors = b.getByRole("list", { name: "Stories by author" });
  await expect(authors.getByRole("button", { name: /^Open stories of Ada .*unseen/ })).toBeVisible();
  await expect(authors.getByRole("button", { name: new RegExp(`^Open stories of ${companion} `) })).toBeVisible();
  await screenshot(b, "stories-feed");

  // A's story: one slide; react, then Done closes the viewer and the ring reads as seen.
  await authors.getByRole("button", { name: /^Open stories of Ada/ }).click();
  const viewer = b.getByRole("dialog", { name: "Ada" });
  await expect(viewer.getByRole("img", { name: "Hello from Ada" })).toBeVisible();
  await viewer.getByRole("button", { name: "React ❤️ to slide 1" }).click();
  await expect(viewer.getByRole("button", { name: "Remove ❤️ from slide 1" })).toHaveAttribute("aria-pressed", "true");
  await screenshot(b, "story-viewer");
  // B reports A's story (moderation.report, target "story") from inside the viewer.
  await viewer.getByRole("button", { name: "Report this story" }).click();
  const report = b.getByRole("dialog", { name: "Report this story" });
  await report.getByRole("radio", { name: "Spam" }).check();
  await report.getByRole("button", { name: "Send report" }).click();
  // The same dialog, now titled by its thanks.
  const sent = b.getByRole("dialog", { name: "Thank you" });
  await expect(sent.getByRole("status")).toHaveText(/report was sent/);
  await sent.getByRole("button", { name: "Close" }).click();
  await expect(sent).toBeHidden();
  await viewer.getByRole("button", { name: "Done" }).click();
  await expect(viewer).toBeHidden();
  await expect(authors.getByRole("button", { name: /^Open stories of Ada .*\bseen\)$/ })).toBeVisible();

  // A, still on the notifications screen: the reaction arrives with no reload.
  await expect(badge(a)).toHaveAccessibleName("Notifications 2 unread");
  await expect(a.getByRole("list", { name: "Notifications" }).getByRole("link", { name: "Bea reacted to your story" })).toBeVisible();
  await screenshot(a, "notifications");
  await a.getByRole("button", { name: "Mark all read" }).click();
  await expect(badge(a)).toHaveAccessibleName("Notifications");

  // The companion's story: keyboard through it (ArrowRight to slide 2), react, Escape closes.
  await authors.getByRole("button", { name: new RegExp(`^Open stories of ${companion} `) }).click();
  const companionViewer = b.getByRole("dialog", { name: companion });
  await expect(companionViewer.getByText(/slide 1 of/)).toBeVisible();
  await b.keyboard.press("ArrowRight");
  await expect(companionViewer.getByText(/slide 2 of/)).toBeVisible();
  await companionViewer.getByRole("button", { name: "React 🔥 to slide 2" }).click();
  await expect(companionViewer.getByRole("button", { name: "Remove 🔥 from slide 2" })).toHaveAttribute("aria-pressed", "true");
  await b.keyboard.press("Escape");
  await expect(companionViewer).toBeHidden();
});
