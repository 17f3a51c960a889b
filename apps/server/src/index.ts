export { parseEnv } from "./env.ts";
export { createLogger } from "./logger.ts";
export { startServer, type RunningServer } from "./start.ts";
