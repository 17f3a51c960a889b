export { jobsEnvShape } from "./env.ts";
export { startJobs, storyJobs, type RunningJobs } from "./jobs.ts";
