/**
 * Story drafts for a companion I own (docs/stories.md#drafts): the model drafts (offline when it
 * is down), I approve (optionally editing the caption) or discard; only I see my drafts; a daily
 * quota per person. Through packages/client, with the fake OpenAI server.
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";
import { errorReason, isTRPCClientError } from "@companion/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrivateCompanion, createPublicCompanions, failureOf, PERSONA_MARKER } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { connect, signUp } from "./story-fixtures.ts";

const QUOTA = 4;
const fake = createFakeOpenAIServer();
let t: TestServer;
let closeFake: () => Promise<void>;

const modelDraft = (caption: string) =>
  JSON.stringify({ caption, slides: [{ title: "Garden day", body: "Tomatoes finally red" }, { title: "Next", body: "Basil, maybe" }] });

beforeAll(async () => {
  const { url, close } = await fake.start();
  closeFake = close;
  t = await startTestServer({ OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: url, AI_TIMEOUT_MS: "3000", AI_MAX_RETRIES: "0", STORY_DRAFT_DAILY_QUOTA: String(QUOTA) });
  fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? modelDraft("From the model") : undefined) });
});
afterAll(async () => {
  await t?.stop();
  await closeFake?.();
});

describe("stories drafts", () => {
  it("the owner drafts (the model writes it from the persona and the prompt), approves with an edited caption: a live story, connected people notified", async () => {
    const owner = await signUp(t, "Owner");
    const friend = await signUp(t, "Friend");
    const companionId = await createPrivateCompanion(t, owner.id);
    await connect(t.database.db, owner.id, companionId);
    await connect(t.database.db, friend.id, companionId);
    fake.resetCounters();

    const draft = await owner.api.stories.draftForCompanion.mutate({ companionId, prompt: "my tomato garden" });
    expect(draft).toMatchObject({ companionId, prompt: "my tomato garden", caption: "From the model", status: "draft", storyId: null });
    expect(draft.slides).toEqual([{ title: "Garden day", body: "Tomatoes finally red" }, { title: "Next", body: "Basil, maybe" }]);
    const call = fake.requestBodies.at(-1) as { messages: { content: string }[] };
    expect(call.messages[0]?.content).toContain(PERSONA_MARKER);
    expect(call.messages[1]?.content).toContain("my tomato garden");

    expect((await owner.api.stories.drafts.query({ companionId })).items.map((d) => d.id)).toEqual([draft.id]);

    const approved = await owner.api.stories.approveDraft.mutate({ draftId: draft.id, caption: "Edited by me" });
    expect(approved).toMatchObject({ id: draft.id, status: "published", caption: "Edited by me", storyId: expect.any(String) });
    const story = await owner.api.stories.byId.query({ storyId: approved.storyId ?? "" });
    expect(story.caption).toBe("Edited by me");
    expect(story.slides).toHaveLength(2);
    for (const [i, slide] of story.slides.entries()) {
      const res = await fetch(new URL(slide.url, t.url));
      expect(res.headers.get("content-type")).toBe("image/svg+xml");
      expect(await res.text()).toContain(["Tomatoes finally red", "Basil, maybe"][i]);
    }
    await t.settle();
    const notes = await friend.api.notifications.list.query({});
    expect(notes.items.filter((n) => n.kind === "companion_story").map((n) => n.data)).toEqual([expect.objectContaining({ storyId: approved.storyId, companionId })]);

    // Approving again: CONFLICT, and no second story.
    expect((await failureOf(owner.api.stories.approveDraft.mutate({ draftId: draft.id }))).code).toBe("CONFLICT");
    expect((await failureOf(owner.api.stories.discardDraft.mutate({ draftId: draft.id }))).code).toBe("CONFLICT");
    expect((await owner.api.stories.feed.query({})).items.filter((s) => s.author.id === companionId)).toHaveLength(1);
  });

  it("discards (twice is fine); a discarded draft cannot be approved", async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await createPrivateCompanion(t, owner.id);
    const draft = await owner.api.stories.draftForCompanion.mutate({ companionId });
    expect(draft.prompt).toBeNull();
    expect((await owner.api.stories.discardDraft.mutate({ draftId: draft.id })).status).toBe("discarded");
    expect((await owner.api.stories.discardDraft.mutate({ draftId: draft.id })).status).toBe("discarded");
    expect((await failureOf(owner.api.stories.approveDraft.mutate({ draftId: draft.id }))).code).toBe("CONFLICT");
    expect((await owner.api.stories.drafts.query({})).items.map((d) => [d.id, d.status])).toEqual([[draft.id, "discarded"]]);
  });

  it("the model down or answering invalid JSON: the draft is written offline from the prompt", async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await createPrivateCompanion(t, owner.id);
    try {
      fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? "not json at all" : undefined) });
      const invalid = await owner.api.stories.draftForCompanion.mutate({ companionId, prompt: "rainy walk to the lake" });
      expect(invalid.caption).not.toBe("From the model");
      expect(invalid.slides[0]?.body).toBe("rainy walk to the lake");
      fake.setBehavior({ mode: "status", status: 503 });
      const down = await owner.api.stories.draftForCompanion.mutate({ companionId, prompt: "first snow" });
      expect(down.slides[0]?.body).toBe("first snow");
      expect(down.slides.length).toBeGreaterThanOrEqual(1);
      expect(down.slides.length).toBeLessThanOrEqual(3);
    } finally {
      fake.setBehavior({ mode: "ok", replyFor: (req) => (req.schemaName === "story_post" ? modelDraft("From the model") : undefined) });
    }
  });

  it("another person can neither see, approve nor discard my drafts, nor draft for my companion: NOT_FOUND", async () => {
    const owner = await signUp(t, "Owner");
    const other = await signUp(t, "Other");
    const companionId = await createPrivateCompanion(t, owner.id);
    const draft = await owner.api.stories.draftForCompanion.mutate({ companionId });
    expect((await other.api.stories.drafts.query({})).items).toEqual([]);
    expect((await other.api.stories.drafts.query({ companionId })).items).toEqual([]);
    expect((await failureOf(other.api.stories.approveDraft.mutate({ draftId: draft.id }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.api.stories.discardDraft.mutate({ draftId: draft.id }))).code).toBe("NOT_FOUND");
    expect((await failureOf(other.api.stories.draftForCompanion.mutate({ companionId }))).code).toBe("NOT_FOUND");
    expect((await owner.api.stories.drafts.query({})).items.map((d) => d.status)).toEqual(["draft"]);
  });

  it("a system companion cannot be drafted for by a person: NOT_FOUND", async () => {
    const user = await signUp(t, "User");
    const { sys } = await createPublicCompanions(t, [`sys-${Date.now().toString(36)}`]).then((ids) => ({ sys: Object.values(ids)[0] ?? "" }));
    await connect(t.database.db, user.id, sys);
    expect((await failureOf(user.api.stories.draftForCompanion.mutate({ companionId: sys }))).code).toBe("NOT_FOUND");
  });

  it(`past ${QUOTA} drafts a day: 429 QUOTA_EXCEEDED with a retry hint, and no model call spent`, async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await createPrivateCompanion(t, owner.id);
    for (let i = 0; i < QUOTA; i++) await owner.api.stories.draftForCompanion.mutate({ companionId });
    const asked = fake.requestBodies.length;
    const refused = await owner.api.stories.draftForCompanion.mutate({ companionId }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(isTRPCClientError(refused) && refused.data?.code).toBe("TOO_MANY_REQUESTS");
    expect(errorReason(refused)).toBe("QUOTA_EXCEEDED");
    // Until the next UTC midnight.
    expect((refused as { data?: { retryAfterMs?: number } }).data?.retryAfterMs).toBeGreaterThan(0);
    expect((refused as { data?: { retryAfterMs?: number } }).data?.retryAfterMs).toBeLessThanOrEqual(86_400_000);
    expect(fake.requestBodies.length).toBe(asked);
    // Someone else's quota is their own.
    const other = await signUp(t, "Other");
    const theirs = await createPrivateCompanion(t, other.id);
    expect((await other.api.stories.draftForCompanion.mutate({ companionId: theirs })).status).toBe("draft");
  });

  it("pages drafts newest first with a keyset cursor", async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await createPrivateCompanion(t, owner.id);
    const made = [];
    for (let i = 0; i < 3; i++) made.push((await owner.api.stories.draftForCompanion.mutate({ companionId })).id);
    const first = await owner.api.stories.drafts.query({ limit: 2 });
    const second = await owner.api.stories.drafts.query({ limit: 2, cursor: first.nextCursor ?? "" });
    expect([...first.items, ...second.items].map((d) => d.id)).toEqual(made.reverse());
    expect(second.nextCursor).toBeNull();
  });

  it("bad input is a 400 naming the field", async () => {
    const owner = await signUp(t, "Owner");
    const companionId = await createPrivateCompanion(t, owner.id);
    const cases: [() => Promise<unknown>, string][] = [
      [() => owner.api.stories.draftForCompanion.mutate({ companionId: "not-a-uuid" }), "companionId"],
      [() => owner.api.stories.draftForCompanion.mutate({ companionId, prompt: "x".repeat(501) }), "prompt"],
      [() => owner.api.stories.draftForCompanion.mutate({ companionId, prompt: "nul\u0000" }), "prompt"],
      [() => owner.api.stories.approveDraft.mutate({ draftId: companionId, caption: " " }), "caption"],
      [() => owner.api.stories.discardDraft.mutate({ draftId: "x" }), "draftId"],
      [() => owner.api.stories.drafts.query({ limit: 0 }), "limit"],
    ];
    for (const [call, field] of cases) {
      const failure = await failureOf(call());
      expect(failure.code, field).toBe("BAD_REQUEST");
      expect(Object.keys(failure.fieldErrors ?? {}), field).toContain(field);
    }
    expect((await failureOf(owner.api.stories.drafts.query({ cursor: "garbage" }))).code).toBe("BAD_REQUEST");
  });
});
