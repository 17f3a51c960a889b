export { jobsEnvShape, jobSettingsFromEnv, proactiveSettingsFromEnv, type ProactiveSettings } from "./env.ts";
export { PermanentJobError } from "./errors.ts";
export { DEAD_LETTER_QUEUE, jobNames, jobPayloads, type AiCallPayload, type JobData, type JobName, type ScheduledJob } from "./queues.ts";
export { openJobQueue, type JobQueue } from "./queue.ts";
export type { JobHandlers, JobLogger } from "./runner.ts";
export { DEFAULT_JOB_SETTINGS, type JobSettings } from "./settings.ts";
export { JOB_STATES, listJobs, purgeJobs, retryJob, type JobSummary } from "./admin.ts";
