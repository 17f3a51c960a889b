/**
 * The router type an app compiles against: the server's `AppRouter` with its context type
 * (the database, the services: the whole server) replaced by `object`. tRPC's clients read only
 * the procedures' input/output/meta, the error shape and the transformer, never ctx.
 *
 * In the monorepo this file reads the server's types directly. The published build replaces it
 * with a structural copy written by scripts/stage-build.ts, so an app's compiler never
 * reads server source (docs/client.md, "How the types are built").
 */
import type { AppRouter as ServerRouter } from "@companion/api";
import type { TRPCBuiltRouter } from "@trpc/server";

type Root = ServerRouter["_def"]["_config"]["$types"];

export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: Root["meta"]; errorShape: Root["errorShape"]; transformer: Root["transformer"] },
  ServerRouter["_def"]["record"]
>;
