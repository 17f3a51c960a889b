/**
 * Companions writing first (docs/proactive.md), through packages/client on the offline default
 * (no model key): the sweep, each guardrail, the text from memories, the notification and the
 * live event, and a job run twice. The model path is in proactive-model.http.test.ts.
 */
import { randomBytes } from "node:crypto";
import { memories, messages, relationshipStates } from "@companion/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPublicCompanions, failureOf, signUp, type SignedInUser } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { recordEvents } from "./realtime-client.ts";

let t: TestServer;

beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t?.stop();
});

const HOUR_MS = 3_600_000;

/** A person without quiet hours (the default 22:00–08:00 UTC would make these tests depend on the clock). */
async function person(): Promise<SignedInUser> {
  const user = await signUp(t, "Sam");
  await user.api.settings.update.mutate({ quietHours: null });
  return user;
}

/** A new companion `user` is connected to, their last interaction `awayHours` ago, at `affection`. */
async function companionOf(user: SignedInUser, options: { awayHours?: number; affection?: number } = {}): Promise<string> {
  const slug = `pro-${randomBytes(4).toString("hex")}`;
  const { [slug]: companionId } = await createPublicCompanions(t, [slug]);
  if (!companionId) throw new Error("no companion");
  await user.api.companions.connect.mutate({ companionId });
  await t.database.db
    .update(relationshipStates)
    .set({ lastInteractionAt: new Date(Date.now() - (options.awayHours ?? 72) * HOUR_MS), affection: options.affection ?? 50 })
    .where(and(eq(relationshipStates.userId, user.id), eq(relationshipStates.companionId, companionId)));
  return companionId;
}

async function proactiveMessages(user: SignedInUser, companionId: string) {
  const page = await user.api.messages.list.query({ companionId, limit: 50 });
  return page.items.filter((m) => m.proactive);
}

const sweep = () => t.runJob("proactive.sweep");
const sweepAt = async (at: Date) => {
  await t.server.runtime.jobs.send("proactive.sweep", { at: at.toISOString() });
  await t.settle();
};

async function relationshipRow(userId: string, companionId: string) {
  const [row] = await t.database.db
    .select({ unanswered: relationshipStates.proactiveUnanswered, lastProactiveAt: relationshipStates.lastProactiveAt })
    .from(relationshipStates)
    .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)));
  return row;
}

describe("a companion writes first", () => {
  it("to a person away for 3 days: one message marked proactive, about their plan, with a notification and a live event", async () => {
    const user = await person();
    const companionId = await companionOf(user, { awayHours: 72 });
    await t.database.db.insert(memories).values({ userId: user.id, companionId, content: "Has a job interview on Friday.", factKey: "plan:job interview", source: "auto", importance: 8 });
    const events = recordEvents(user.api);
    await events.started;

    await sweep();

    const sent = await proactiveMessages(user, companionId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.role).toBe("assistant");
    expect(sent[0]?.content).toContain("job interview");
    const notes = await user.api.notifications.list.query({});
    const note = notes.items.find((n) => n.kind === "companion_message");
    expect(note?.data).toMatchObject({ companionId, messageId: sent[0]?.id });
    expect(note?.text).toMatch(/wrote to you/);
    await events.waitFor(2);
    const types = events.received.map((e) => e.data.type);
    expect(types).toContain("notification.created");
    expect(events.received.find((e) => e.data.type === "message.created")?.data).toMatchObject({ payload: { messageId: sent[0]?.id, companionId, proactive: true } });
    events.unsubscribe();

    // The sweep again the same day: the per-companion guardrail holds, nothing more is sent.
    await sweep();
    expect(await proactiveMessages(user, companionId)).toHaveLength(1);
    expect((await relationshipRow(user.id, companionId))?.unanswered).toBe(1);
  });

  it("without memories: a mood line", async () => {
    const user = await person();
    const companionId = await companionOf(user, { awayHours: 80 });
    await sweep();
    const [sent] = await proactiveMessages(user, companionId);
    expect(sent?.content.length).toBeGreaterThan(10);
  });

  it("a send job run twice (a retry) writes one message", async () => {
    const user = await person();
    const companionId = await companionOf(user, { awayHours: 72 });
    await t.server.runtime.jobs.send("proactive.send", { userId: user.id, companionId });
    await t.server.runtime.jobs.send("proactive.send", { userId: user.id, companionId });
    await t.settle();
    await t.server.runtime.jobs.send("proactive.send", { userId: user.id, companionId });
    await t.settle();
    expect(await proactiveMessages(user, companionId)).toHaveLength(1);
    const rows = await t.database.db.select({ id: messages.id }).from(messages).where(and(eq(messages.userId, user.id), eq(messages.proactive, true)));
    expect(rows).toHaveLength(1);
  });
});

describe("guardrails", () => {
  it("at most PROACTIVE_MAX_PER_USER_PER_DAY (2) per person per day, over all companions", async () => {
    const user = await person();
    const ids = [await companionOf(user), await companionOf(user), await companionOf(user)];
    await sweep();
    await sweep();
    const counts = await Promise.all(ids.map(async (id) => (await proactiveMessages(user, id)).length));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(2);
    // Even a send enqueued directly for the third is refused under the person's lock.
    const third = ids[counts.indexOf(0)];
    if (!third) throw new Error("expected one companion without a message");
    await t.server.runtime.jobs.send("proactive.send", { userId: user.id, companionId: third });
    await t.settle();
    expect(await proactiveMessages(user, third)).toHaveLength(0);
  });

  it("never in the person's quiet hours, in their own time zone", async () => {
    const user = await person();
    const companionId = await companionOf(user);
    const utcHour = new Date().getUTCHours();
    // A zone where it is 23:xx now; Etc/GMT-N is UTC+N (POSIX sign).
    const offset = ((23 - utcHour + 36) % 24) - 12;
    const zoneAt = (o: number) => (o === 0 ? "UTC" : `Etc/GMT${o > 0 ? "-" : "+"}${Math.abs(o)}`);
    await user.api.settings.update.mutate({ timeZone: zoneAt(offset), quietHours: { start: "22:00", end: "08:00" } });
    await sweep();
    expect(await proactiveMessages(user, companionId)).toHaveLength(0);
    // Same quiet hours, a zone where it is now 13:xx: it writes.
    await user.api.settings.update.mutate({ timeZone: zoneAt(((13 - utcHour + 36) % 24) - 12) });
    await sweep();
    expect(await proactiveMessages(user, companionId)).toHaveLength(1);
  });

  it("stops after two unanswered in a row; the person answering resets the count", async () => {
    const user = await person();
    const companionId = await companionOf(user, { awayHours: 72 });
    const now = Date.now();
    await sweepAt(new Date(now));
    await sweepAt(new Date(now + 25 * HOUR_MS));
    expect(await proactiveMessages(user, companionId)).toHaveLength(2);
    expect((await relationshipRow(user.id, companionId))?.unanswered).toBe(2);
    await sweepAt(new Date(now + 50 * HOUR_MS));
    await sweepAt(new Date(now + 75 * HOUR_MS));
    expect(await proactiveMessages(user, companionId)).toHaveLength(2);

    await user.api.messages.send.mutate({ companionId, content: "sorry, I was busy! it went well", idempotencyKey: `k-${randomBytes(6).toString("hex")}` });
    await t.settle();
    expect((await relationshipRow(user.id, companionId))?.unanswered).toBe(0);
    // Away again long enough after that answer: it writes again.
    await sweepAt(new Date(now + 6 * 24 * HOUR_MS));
    expect(await proactiveMessages(user, companionId)).toHaveLength(3);
  });

  it("per-companion opt-out (companions.setProactive), shown on the relationship", async () => {
    const user = await person();
    const quiet = await companionOf(user);
    const off = await user.api.companions.setProactive.mutate({ companionId: quiet, enabled: false });
    expect(off.proactiveEnabled).toBe(false);
    expect((await user.api.companions.relationship.query({ companionId: quiet })).proactiveEnabled).toBe(false);
    await sweep();
    expect(await proactiveMessages(user, quiet)).toHaveLength(0);
    await user.api.companions.setProactive.mutate({ companionId: quiet, enabled: true });
    await sweep();
    expect(await proactiveMessages(user, quiet)).toHaveLength(1);
  });

  it("setProactive on a companion I am not connected to is NOT_FOUND", async () => {
    const user = await person();
    const slug = `pro-${randomBytes(4).toString("hex")}`;
    const { [slug]: companionId } = await createPublicCompanions(t, [slug]);
    expect((await failureOf(user.api.companions.setProactive.mutate({ companionId: companionId ?? "", enabled: false }))).code).toBe("NOT_FOUND");
  });

  it("global opt-out (settings.proactiveEnabled)", async () => {
    const user = await person();
    const companionId = await companionOf(user);
    await user.api.settings.update.mutate({ proactiveEnabled: false });
    await sweep();
    expect(await proactiveMessages(user, companionId)).toHaveLength(0);
  });

  it("warmth: at 30 h away a warm relationship writes, a cold one does not", async () => {
    const user = await person();
    const warm = await companionOf(user, { awayHours: 30, affection: 90 });
    const cold = await companionOf(user, { awayHours: 30, affection: 10 });
    await sweep();
    expect(await proactiveMessages(user, warm)).toHaveLength(1);
    expect(await proactiveMessages(user, cold)).toHaveLength(0);
  });

  it("not before the away time: 10 h is too soon even at full affection", async () => {
    const user = await person();
    const companionId = await companionOf(user, { awayHours: 10, affection: 100 });
    await sweep();
    expect(await proactiveMessages(user, companionId)).toHaveLength(0);
  });
});
