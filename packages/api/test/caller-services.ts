/** AppServices over a test database, for router tests through createCaller (no HTTP). */
import { randomBytes, randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChatChain, createOfflinePersona } from "@companion/ai";
import { createAccessTokenService, createAuthService, jwtKeyFromSecret } from "@companion/auth";
import { UNLIMITED_QUOTAS } from "@companion/db";
import type { TestDatabase } from "@companion/db/testing";
import { DEFAULT_JOB_SETTINGS, openJobQueue } from "@companion/jobs";
import { createRateLimits } from "@companion/ratelimit";
import { createLocalStorage } from "@companion/storage";
import type { AppServices } from "../src/context.ts";
import { startEventHub } from "../src/realtime/hub.ts";
import { createAccountService } from "../src/services/account.ts";
import { createOutboxMailer } from "../src/services/mail.ts";
import { createChatService } from "../src/services/chat.ts";
import { createMediaService } from "../src/services/media.ts";
import { createSearchService } from "../src/services/search.ts";
import { createStoryDraftService } from "../src/services/story-drafts.ts";

/** Jobs are enqueued, not run, here: `jobs.stop()` it with the hub in afterAll. */
export async function createCallerServices(db: TestDatabase): Promise<AppServices> {
  const secret = randomBytes(32).toString("base64url");
  const quiet = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  const jobs = await openJobQueue({ connection: db.connection, settings: DEFAULT_JOB_SETTINGS, log: quiet, role: "producer" });
  // Nothing is uploaded here; the directory is only created on a first write.
  const media = createMediaService({ storage: createLocalStorage({ dir: join(tmpdir(), "companion-caller-media"), signingKey: randomBytes(32) }) });
  return {
    jobs,
    webPushPublicKey: null,
    quotas: UNLIMITED_QUOTAS,
    db: db.db,
    dbKind: db.kind,
    eventHub: await startEventHub({ listen: db.listen }),
    // No lease row for this owner id: nothing here answers another process's messages.
    chat: createChatService({ db: db.db, jobs, owner: randomUUID() }),
    search: await createSearchService({ db: db.db, embedder: null, log: quiet }),
    rateLimits: await createRateLimits(),
    media,
    storyDrafts: createStoryDraftService({ db: db.db, chain: createChatChain({ providers: [], offline: createOfflinePersona() }), media, jobs, dailyQuota: 10 }),
    auth: createAuthService({
      db: db.db,
      tokens: createAccessTokenService({ keys: [jwtKeyFromSecret(secret)], issuer: "companion", audience: "companion-app" }),
      refreshPepper: randomBytes(32),
    }),
    account: createAccountService({
      db: db.db,
      jobs,
      media,
      mailer: createOutboxMailer({ db: db.db, log: quiet }),
      passwordResetUrl: "http://localhost:3001/reset-password",
      passwordResetMinMs: 0,
      log: quiet,
    }),
    closing: new AbortController().signal,
  };
}
