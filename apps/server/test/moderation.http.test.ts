/**
 * moderation.report through packages/client over HTTP, and the operators' side through the admin
 * CLI (`reports:list`, `reports:resolve`) on the same database (docs/moderation.md): a report
 * keeps its snapshot when the content changes, the same report twice is one, `hide` takes the
 * content out of every read (its author's included), `ban` refuses the author's next login.
 */
import { Readable } from "node:stream";
import { companions, messages, relationshipStates, securityEvents, users } from "@companion/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../admin/src/main.ts";
import { uniqueEmail, type TestServer } from "./harness.ts";
import { follow, postStory, startSocialServer, type Story } from "./social-fixtures.ts";
import { codeOf, type SignedInUser } from "./story-fixtures.ts";

const PASSWORD = "password-1234";
let t: TestServer;
let author: SignedInUser & { email: string };
let reporter: SignedInUser;
let other: SignedInUser;
let story: Story;

async function register(name: string): Promise<SignedInUser & { email: string }> {
  const { api } = t.session();
  const email = uniqueEmail(name);
  const session = await api.auth.register.mutate({ email, password: PASSWORD, displayName: name });
  return { id: session.user.id, api, email };
}

/** `pnpm admin …` in-process on the server's database, `--json` output parsed. */
async function admin(...argv: string[]): Promise<{ code: number; json: unknown; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli([...argv, "--json"], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    openDb: async () => ({ ...t.database, close: async () => {} }),
    stdin: Readable.from([]),
  });
  return { code, json: out.length > 0 ? JSON.parse(out.join("\n")) : null, err: err.join("\n") };
}

beforeAll(async () => {
  t = await startSocialServer({ RATE_REPORT_PER_HOUR: "12" });
  author = await register("author");
  reporter = await register("reporter");
  other = await register("other");
  await follow(reporter, author);
  await follow(other, author);
  story = await postStory(t, author, { visibility: "public", caption: "the original caption" });
});
afterAll(async () => {
  await t.stop();
});

describe("moderation.report", () => {
  it("stores a snapshot; the same report twice is one report", async () => {
    const first = await reporter.api.moderation.report.mutate({ target: "story", id: story.id, reason: "spam", note: "ads" });
    expect(first).toMatchObject({ target: "story", id: story.id, status: "open", created: true });
    const again = await reporter.api.moderation.report.mutate({ target: "story", id: story.id, reason: "harassment" });
    expect(again).toEqual({ ...first, created: false });
    const listed = (await admin("reports:list", "--status", "open")).json as { id: string; reason: string; snapshot: Record<string, unknown> }[];
    const mine = listed.filter((r) => r.id === first.reportId);
    expect(mine).toHaveLength(1);
    expect(mine[0]?.reason).toBe("spam");
    expect(mine[0]?.snapshot).toMatchObject({ authorUserId: author.id, caption: "the original caption", mediaKeys: [expect.any(String)] });
  });

  it("keeps the snapshot of a user after they change their name", async () => {
    const r = await reporter.api.moderation.report.mutate({ target: "user", id: author.id, reason: "impersonation" });
    await t.database.db.update(users).set({ displayName: "someone else" }).where(eq(users.id, author.id));
    const listed = (await admin("reports:list")).json as { id: string; snapshot: Record<string, unknown> }[];
    expect(listed.find((x) => x.id === r.reportId)?.snapshot).toMatchObject({ authorUserId: author.id, displayName: "author" });
  });

  it("is NOT_FOUND for what the reporter cannot see; bad input is BAD_REQUEST", async () => {
    const friendsOnly = await postStory(t, author, { visibility: "friends" });
    expect(await codeOf(reporter.api.moderation.report.mutate({ target: "story", id: friendsOnly.id, reason: "spam" }))).toBe("NOT_FOUND");
    expect(await codeOf(reporter.api.moderation.report.mutate({ target: "user", id: crypto.randomUUID(), reason: "spam" }))).toBe("NOT_FOUND");
    // @ts-expect-error -- an unknown target kind, as a broken client might send
    expect(await codeOf(reporter.api.moderation.report.mutate({ target: "planet", id: story.id, reason: "spam" }))).toBe("BAD_REQUEST");
  });

  it("a message only in one's own conversation", async () => {
    const [c] = await t.database.db.insert(companions).values({ slug: `rep-${crypto.randomUUID()}`, name: "Rep" }).returning({ id: companions.id });
    const companionId = c?.id ?? "";
    await t.database.db.insert(relationshipStates).values({ userId: reporter.id, companionId });
    const [m] = await t.database.db
      .insert(messages)
      .values({ userId: reporter.id, companionId, role: "assistant", content: "something unkind" })
      .returning({ id: messages.id });
    const messageId = m?.id ?? "";
    expect(await codeOf(other.api.moderation.report.mutate({ target: "message", id: messageId, reason: "harassment" }))).toBe("NOT_FOUND");
    const r = await reporter.api.moderation.report.mutate({ target: "message", id: messageId, reason: "harassment" });
    // Hidden: gone from the conversation's history.
    const hidden = await admin("reports:resolve", r.reportId, "--action", "hide");
    expect(hidden).toMatchObject({ code: 0, json: { report: { status: "hidden" }, resolvedReports: 1, hidden: 1 } });
    const history = await reporter.api.messages.list.query({ companionId });
    expect(history.items.map((x) => x.id)).not.toContain(messageId);
  });
});

describe("the report rate limit", () => {
  it("refuses a person's reports past RATE_REPORT_PER_HOUR with TOO_MANY_REQUESTS", async () => {
    const spammer = await register("spammer");
    for (let i = 0; i < 12; i++) await spammer.api.moderation.report.mutate({ target: "user", id: other.id, reason: "spam" });
    expect(await codeOf(spammer.api.moderation.report.mutate({ target: "user", id: other.id, reason: "spam" }))).toBe("TOO_MANY_REQUESTS");
    // Someone else's budget is theirs.
    expect((await other.api.moderation.report.mutate({ target: "user", id: spammer.id, reason: "spam" })).created).toBe(true);
  });
});

describe("reports:resolve", () => {
  it("hide: the story is gone for everyone, its author included; every open report on it is resolved", async () => {
    const second = await other.api.moderation.report.mutate({ target: "story", id: story.id, reason: "hate" });
    const open = (await admin("reports:list", "--status", "open")).json as { id: string; targetId: string }[];
    const first = open.find((r) => r.targetId === story.id && r.id !== second.reportId);
    expect(first).toBeDefined();
    expect((await reporter.api.stories.feed.query({ limit: 50 })).items.map((s) => s.id)).toContain(story.id);

    const res = await admin("reports:resolve", first?.id ?? "", "--action", "hide");
    expect(res).toMatchObject({ code: 0, json: { report: { status: "hidden" }, resolvedReports: 2, hidden: 1, bannedUserId: null } });
    for (const u of [author, reporter, other]) {
      expect(await codeOf(u.api.stories.byId.query({ storyId: story.id }))).toBe("NOT_FOUND");
      expect((await u.api.stories.feed.query({ limit: 50 })).items.map((s) => s.id)).not.toContain(story.id);
    }
    const after = (await admin("reports:list")).json as { id: string; status: string }[];
    expect(after.find((r) => r.id === second.reportId)?.status).toBe("hidden");
  });

  it("hide: a companion leaves lists and byId, its creator's too", async () => {
    const [c] = await t.database.db
      .insert(companions)
      .values({ slug: `bad-${crypto.randomUUID()}`, name: "Bad", ownerUserId: author.id, visibility: "public" })
      .returning({ id: companions.id });
    const companionId = c?.id ?? "";
    const r = await reporter.api.moderation.report.mutate({ target: "companion", id: companionId, reason: "sexual" });
    expect((await admin("reports:resolve", r.reportId, "--action", "hide")).code).toBe(0);
    for (const u of [author, reporter]) expect(await codeOf(u.api.companions.byId.query({ companionId }))).toBe("NOT_FOUND");
    expect(await codeOf(author.api.companions.own.query({ companionId }))).toBe("NOT_FOUND");
    expect((await author.api.companions.mine.query({})).items.map((x) => x.id)).not.toContain(companionId);
    expect(await codeOf(reporter.api.companions.connect.mutate({ companionId }))).toBe("NOT_FOUND");
    const listed = await reporter.api.companions.list.query({ limit: 100 });
    expect(listed.items.map((x) => x.id)).not.toContain(companionId);
  });

  it("ban: the author's account is disabled, their next login refused, and the security log says so", async () => {
    const s = await postStory(t, author, { visibility: "public" });
    const r = await reporter.api.moderation.report.mutate({ target: "story", id: s.id, reason: "violence" });
    const res = await admin("reports:resolve", r.reportId, "--action", "ban");
    expect(res).toMatchObject({ code: 0, json: { report: { status: "banned" }, bannedUserId: author.id } });
    expect(await codeOf(t.session().api.auth.login.mutate({ email: author.email, password: PASSWORD }))).toBe("FORBIDDEN");
    const events = await t.database.db.select({ kind: securityEvents.kind }).from(securityEvents).where(eq(securityEvents.userId, author.id));
    expect(events.map((e) => e.kind)).toContain("account_banned");
    // A resolved report cannot be resolved into something else by accident: unknown ids are NOT_FOUND.
    expect((await admin("reports:resolve", crypto.randomUUID(), "--action", "dismiss")).code).not.toBe(0);
  });
});
