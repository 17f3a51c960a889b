/**
 * The job handlers, one file per domain; each is idempotent (a job run twice changes nothing
 * the second time) and says which failures are permanent (docs/jobs.md). apps/worker runs
 * them, or the server in-process on the embedded default.
 */
import type { JobHandlers } from "@companion/jobs";
import { chatHandlers } from "./chat.ts";
import type { JobDeps } from "./deps.ts";
import { accountHandlers } from "./account.ts";
import { digestHandlers } from "./digests.ts";
import { maintenanceHandlers } from "./maintenance.ts";
import { mediaHandlers } from "./media.ts";
import { memoryHandlers } from "./memory.ts";
import { notificationHandlers } from "./notifications.ts";
import { proactiveHandlers } from "./proactive.ts";
import { storyHandlers } from "./stories.ts";
import { searchHandlers } from "./search.ts";

export type { JobDeps } from "./deps.ts";

export function createJobHandlers(deps: JobDeps): JobHandlers {
  return {
    ...maintenanceHandlers(deps),
    ...mediaHandlers(deps),
    ...chatHandlers(deps),
    ...memoryHandlers(deps),
    ...notificationHandlers(deps),
    ...proactiveHandlers(deps),
    ...digestHandlers(deps),
    ...storyHandlers(deps),
    ...searchHandlers(deps),
    ...accountHandlers(deps),
  };
}
