export * from "./schema/index.ts";
export * from "./types.ts";
export { openDatabase, type DatabaseOptions, type PgliteOptions, type PostgresOptions } from "./client.ts";
export { migrationsFolder } from "./migrate.ts";
export { DataDirLockedError } from "./lock.ts";
export { withUser } from "./user-scope.ts";
export * from "./errors.ts";
