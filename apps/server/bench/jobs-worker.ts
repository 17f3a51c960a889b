/**
 * One worker process of the job throughput benchmark (jobs.ts): opens a worker JobQueue on
 * DATABASE_URL with the JOB_* settings of its environment, prints `ready`, and on `go` (a line
 * on stdin) starts working BENCH_JOB_QUEUE with a handler that does nothing, so what is timed is
 * the queue itself: fetch, run, complete. When stdin closes it stops and prints how many jobs it
 * ran as `{"ran":n}`.
 */
import { createInterface } from "node:readline";
import { jobNames, jobSettingsFromEnv, jobsEnvShape, openJobQueue, type JobHandlers } from "@companion/jobs";
import { z } from "zod";

const env = z
  .object({ ...jobsEnvShape, DATABASE_URL: z.url(), BENCH_JOB_QUEUE: z.enum(jobNames as [string, ...string[]]) })
  .parse(process.env);
const say = (line: string) => process.stdout.write(`${line}\n`);
const quiet = { info: () => {}, debug: () => {}, warn: (o: object, m: string) => console.error(m, o), error: (o: object, m: string) => console.error(m, o) };

const queue = await openJobQueue({
  connection: { kind: "postgres", url: env.DATABASE_URL, pooler: "session", directUrl: undefined, connectTimeoutMs: 10_000 },
  settings: jobSettingsFromEnv(env),
  log: quiet,
  role: "worker",
});
let ran = 0;
const handlers: JobHandlers = {
  [env.BENCH_JOB_QUEUE]: () => {
    ran++;
    return Promise.resolve();
  },
};
say("ready");

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === "go") await queue.work(handlers);
}
await queue.stop({ graceMs: 5_000 });
say(JSON.stringify({ ran }));
