/**
 * The leak guard around what models write from a companion's persona (docs/anti-leak.md): a
 * reply, a proactive message, a story, a digest letter. Whoever is not the companion's owner
 * (everyone, for a system companion) gets the text with its private persona spans removed.
 */
import { createLeakGuard, guardText, type ChainStreamEvent, type LeakGuard } from "@companion/ai";
import { loadPersonaPrivacy, type Database, type PersonaPrivacy } from "@companion/db";

/** Only the owner reads the persona; null `readerId`: published, read by anyone. */
const readsUnguarded = (privacy: PersonaPrivacy, readerId: string | null) => privacy.ownerUserId !== null && privacy.ownerUserId === readerId;

/** A streaming guard for what `readerId` reads, or null when they may read everything. */
export function replyGuardFor(privacy: PersonaPrivacy, readerId: string): LeakGuard | null {
  return readsUnguarded(privacy, readerId) ? null : createLeakGuard(privacy.privateTexts);
}

/** `text` as `readerId` may read it. */
export function guardFor(privacy: PersonaPrivacy, readerId: string | null, text: string): string {
  return readsUnguarded(privacy, readerId) ? text : guardText(privacy.privateTexts, text);
}

/**
 * The chain's stream through `guard`: tokens carry only released text (the guard holds back the
 * last few characters until they are known safe), a `fallback` that discards the partial reply
 * restarts the guard, and `done` / `aborted` carry exactly the text the tokens carried.
 */
export async function* guardReplyStream(events: AsyncIterable<ChainStreamEvent>, guard: LeakGuard | null): AsyncGenerator<ChainStreamEvent> {
  if (!guard) {
    yield* events;
    return;
  }
  let shown = "";
  for await (const event of events) {
    if (event.type === "token") {
      const text = guard.push(event.text);
      shown += text;
      if (text !== "") yield { type: "token", text };
    } else if (event.type === "fallback") {
      if (event.discardPartial) {
        guard.reset();
        shown = "";
      }
      yield event;
    } else {
      const rest = guard.end();
      shown += rest;
      if (rest !== "") yield { type: "token", text: rest };
      yield { ...event, text: shown };
    }
  }
}

/** A story's words as `guard` lets them out (caption, each slide's title and body, guarded one by one). */
export function guardPost<S extends { title: string; body: string }, P extends { caption: string; slides: readonly S[] }>(post: P, guard: (text: string) => string): P {
  return { ...post, caption: guard(post.caption), slides: post.slides.map((s) => ({ ...s, title: guard(s.title), body: guard(s.body) })) };
}

/**
 * For jobs: guards text written from `companionId`'s persona for `readerId` (null: published to
 * anyone). A companion gone meanwhile guards nothing (there is no persona left to leak).
 */
export async function personaGuard(db: Database, companionId: string, readerId: string | null): Promise<(text: string) => string> {
  const privacy = await loadPersonaPrivacy(db, { companionId });
  return privacy ? (text) => guardFor(privacy, readerId, text) : (text) => text;
}
