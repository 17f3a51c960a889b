export { jobsEnvShape, jobSettingsFromEnv, type JobsEnv } from "./env.ts";
export { PermanentJobError } from "./errors.ts";
export { DEAD_LETTER_QUEUE, jobNames, jobPayloads, type AiCallPayload, type JobData, type JobName, type ScheduledJob } from "./queues.ts";
export { openJobQueue, queueOptions, type EnqueueOptions, type JobQueue, type JobQueueOptions } from "./queue.ts";
export { isPermanent, type JobContext, type JobHandler, type JobHandlers, type JobLogger } from "./runner.ts";
export { DEFAULT_JOB_SETTINGS, type JobSettings } from "./settings.ts";
export { findJob, JOB_STATES, listJobs, purgeJobs, retryJob, type JobState, type JobSummary, type RetryOutcome } from "./admin.ts";
