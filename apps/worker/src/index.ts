export { jobsEnvShape, parseWorkerEnv, type WorkerEnv } from "./env.ts";
export { eventJobs, startJobs, storyJobs, type EventJobSettings, type JobSettings, type RunningJobs, type StoryJobSettings } from "./jobs.ts";
