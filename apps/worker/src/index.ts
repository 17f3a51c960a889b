export { jobsEnvShape, parseWorkerEnv, type WorkerEnv } from "./env.ts";
export { startJobs, storyJobs, type JobSettings, type RunningJobs } from "./jobs.ts";
