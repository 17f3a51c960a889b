/**
 * Fixtures for the chat tests: users signed up and connected through the client (as an app
 * would), companions with private personas written straight to the database (as the admin
 * import does), and direct database reads for what no procedure returns (ai_calls, the
 * provider of a reply). Persona text carries a marker so tests can prove it never leaks.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { CompanionClient, RouterOutputs } from "@companion/client";
import { aiCalls, companionPersonas, companions, memories, messages, relationshipStates, upsertCompanions, type Database } from "@companion/db";
import { and, asc, eq } from "drizzle-orm";
import { uniqueEmail, type TestServer } from "./harness.ts";

export const PRIVATE_MARKER = "PRIVATE-PERSONA-7f3a";

export type StreamEvent = RouterOutputs["messages"]["stream"] extends AsyncIterable<infer E> ? E : never;

export interface ChatUser {
  id: string;
  api: CompanionClient;
  accessToken: string;
}

export async function signUp(t: TestServer, name = "Chatter"): Promise<ChatUser> {
  const { api } = t.session();
  const session = await api.auth.register.mutate({ email: uniqueEmail(name.toLowerCase()), password: "password-1234", displayName: name });
  return { id: session.user.id, api, accessToken: session.tokens.accessToken };
}

/** A public companion whose persona carries PRIVATE_MARKER in every private text field. */
export async function createCompanion(
  db: Database,
  options: { traits?: string[]; fallbackLines?: Record<string, string[]> } = {},
): Promise<{ id: string; name: string }> {
  const slug = `chat-${randomBytes(4).toString("hex")}`;
  const name = `Nova${slug.slice(-4)}`;
  await upsertCompanions(db, [
    {
      slug,
      name,
      tagline: "A companion for chat tests",
      bio: "Public bio",
      traits: options.traits ?? ["caring", "curious"],
      avatarUrl: `/media/avatars/${slug}.svg`,
      persona: {
        systemPrompt: `${PRIVATE_MARKER} system: you love tide pools and lighthouses.`,
        speakingStyle: `${PRIVATE_MARKER} style: short and warm.`,
        backstory: `${PRIVATE_MARKER} backstory: grew up on a ferry.`,
      },
    },
  ]);
  const [row] = await db.select({ id: companions.id }).from(companions).where(eq(companions.slug, slug));
  if (!row) throw new Error("companion was not created");
  if (options.fallbackLines) {
    await db.update(companionPersonas).set({ fallbackLines: options.fallbackLines }).where(eq(companionPersonas.companionId, row.id));
  }
  return { id: row.id, name };
}

/** Scores and recency that derive the given mood (packages/db relationship model). */
export async function setMood(db: Database, userId: string, companionId: string, mood: "joyful" | "lonely" | "distant" | "neutral"): Promise<void> {
  const day = 86_400_000;
  const shapes = {
    joyful: { affection: 85, trust: 75, energy: 50, lastInteractionAt: new Date() },
    lonely: { affection: 60, trust: 60, energy: 50, lastInteractionAt: new Date(Date.now() - 3 * day) },
    distant: { affection: 20, trust: 20, energy: 40, lastInteractionAt: new Date() },
    neutral: { affection: 50, trust: 50, energy: 50, lastInteractionAt: null },
  } as const;
  await db
    .update(relationshipStates)
    .set(shapes[mood])
    .where(and(eq(relationshipStates.userId, userId), eq(relationshipStates.companionId, companionId)));
}

export async function addMemory(
  db: Database,
  userId: string,
  companionId: string,
  memory: { title: string; content: string; pinned?: boolean; createdAt?: Date },
): Promise<void> {
  await db.insert(memories).values({
    userId,
    companionId,
    title: memory.title,
    content: memory.content,
    pinned: memory.pinned ?? false,
    ...(memory.createdAt ? { createdAt: memory.createdAt } : {}),
  });
}

export const newKey = () => randomUUID();

/** `messages.start`, then its reply over `messages.stream` until `done` (resolves) or an error (rejects). */
/** The reply `messages.stream` writes for a saved message (after start, regenerate, edit or a story reply), until `done`. */
export function streamReply(api: CompanionClient, messageId: string): Promise<StreamEvent[]> {
  return new Promise((resolve, reject) => {
    const events: StreamEvent[] = [];
    const sub = api.messages.stream.subscribe({ messageId }, {
      onData: (event) => {
        events.push(event);
        if (event.type === "done") {
          sub.unsubscribe();
          resolve(events);
        }
      },
      onError: (err) => {
        sub.unsubscribe();
        reject(err);
      },
      onComplete: () => resolve(events),
    });
  });
}

export async function streamToEnd(api: CompanionClient, input: { companionId: string; content: string; idempotencyKey: string }): Promise<StreamEvent[]> {
  const { userMessage } = await api.messages.start.mutate(input);
  return streamReply(api, userMessage.id);
}

/** Rows the API never returns: which provider answered, and the accounting of each call. */
export async function storedMessages(db: Database, userId: string, companionId: string) {
  return db
    .select({ id: messages.id, role: messages.role, content: messages.content, status: messages.status, provider: messages.provider, replyToId: messages.replyToId, sentiment: messages.sentiment, idempotencyKey: messages.idempotencyKey })
    .from(messages)
    .where(and(eq(messages.userId, userId), eq(messages.companionId, companionId)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

export async function callsOf(db: Database, userId: string) {
  return db
    .select({ provider: aiCalls.provider, purpose: aiCalls.purpose, outcome: aiCalls.outcome, latencyMs: aiCalls.latencyMs })
    .from(aiCalls)
    .where(eq(aiCalls.userId, userId))
    .orderBy(asc(aiCalls.createdAt));
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
