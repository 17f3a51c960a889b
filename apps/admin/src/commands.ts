/** Every command of `pnpm admin`: the database and content ones here, accounts in user-commands.ts. */
import { resolve } from "node:path";
import { aiCallStats, expireStories, pruneEvents, seedDemoContent, upsertCompanions } from "@companion/db";
import { z } from "zod";
import { formatAiStats, MAX_DAYS } from "./ai-stats.ts";
import { CliError, defineCommand, EX_CONFIG, intFlag, UsageError, type Command } from "./command.ts";
import { ImportFileError, readCompanionImportFile } from "./companions-import.ts";
import { eventRetentionMs } from "./env.ts";
import { jobCommands } from "./job-commands.ts";
import { mailCommands } from "./mail-commands.ts";
import { moderationCommands } from "./moderation-commands.ts";
import { quotaCommands } from "./quota-commands.ts";
import { userCommands } from "./user-commands.ts";

const DAY_MS = 86_400_000;

const noInput = z.object({});

const dbCommands: Record<string, Command> = {
  "db:migrate": defineCommand({
    summary: "Apply pending migrations from drizzle/",
    input: noInput,
    run: async (db) => {
      await db.migrate();
      return { backend: db.kind };
    },
    human: (r) => [`migrations applied (${r.backend})`],
  }),

  "db:seed": defineCommand({
    summary: "Create the demo companions, and stories for those without a live one (idempotent)",
    input: noInput,
    run: async (db) => {
      await db.migrate();
      const { companions, stories } = await seedDemoContent(db.db);
      return { companions, stories };
    },
    human: (r) => [`seeded ${r.companions} companion(s), ${r.stories} story(ies)`],
  }),

  "stories:expire": defineCommand({
    summary: "Soft-delete expired stories, hard-delete those soft-deleted over an hour ago",
    input: noInput,
    run: async (db) => {
      await db.migrate();
      // Stored media is purged by the server/worker's stories.expire job (it holds the storage
      // settings), which collects the media of these stories again when it hard-deletes them.
      const { softDeleted, hardDeleted } = await expireStories(db.db);
      return { softDeleted, hardDeleted };
    },
    human: (r) => [`soft-deleted ${r.softDeleted} expired story(ies), hard-deleted ${r.hardDeleted}`],
  }),

  "events:prune": defineCommand({
    summary: "Delete realtime events older than the retention (EVENT_RETENTION_MS, default 7 days)",
    options: { days: { type: "string", value: "N", description: "keep the last N days instead (1 to 99999)" } },
    input: z.object({ days: intFlag(1, 99_999).optional() }),
    // The retention is read (and a bad EVENT_RETENTION_MS refused) before the database opens.
    prepare: async ({ days }) => {
      if (days !== undefined) return { retentionMs: days * DAY_MS };
      try {
        return { retentionMs: eventRetentionMs() };
      } catch (err) {
        throw new CliError("CONFIG", (err as Error).message, EX_CONFIG);
      }
    },
    run: async (db, { retentionMs }) => {
      const olderThan = new Date(Date.now() - retentionMs);
      await db.migrate();
      return { deleted: await pruneEvents(db.db, { olderThan }), olderThan: olderThan.toISOString() };
    },
    human: (r) => [`deleted ${r.deleted} event(s) created before ${r.olderThan}`],
  }),

  "companions:import": defineCommand({
    summary: "Create or update companions (profile and persona) by slug from a JSON file or a character card (.json, .png); see docs/companions-import.md",
    args: [{ name: "file", description: "the file (or give it with --file)", optional: true }],
    options: {
      file: { type: "string", value: "FILE", description: "the JSON file or character card to import" },
      slug: { type: "string", value: "SLUG", description: "a character card's slug (default: made from its name)" },
    },
    input: z
      .object({ args: z.array(z.string()), file: z.string().optional(), slug: z.string().optional() })
      .transform(({ args, file, slug }) => ({ file: file ?? args[0], slug }))
      .pipe(z.object({ file: z.string({ error: "--file (or a file argument) is required" }), slug: z.string().or(z.undefined()) })),
    prepare: async ({ file, slug }, ctx) => {
      try {
        return await readCompanionImportFile(resolve(ctx.cwd, file), { slug });
      } catch (err) {
        // A bad file is a usage error: nothing was opened, nothing written.
        if (err instanceof ImportFileError) throw new UsageError(err.message);
        throw err;
      }
    },
    run: async (db, seeds) => {
      await db.migrate();
      const { inserted, updated } = await upsertCompanions(db.db, seeds);
      return { imported: seeds.length, inserted, updated };
    },
    human: (r) => [`imported ${r.imported} companion(s): ${r.inserted} new, ${r.updated} updated`],
  }),

  "ai:stats": defineCommand({
    summary: "Model calls per provider/model: outcomes, tokens, p50/p95 latency, cost",
    options: { days: { type: "string", value: "N", description: `the last N days, 1 to ${MAX_DAYS} (default 7)` } },
    input: z.object({ days: intFlag(1, MAX_DAYS).default(7) }).transform(({ days }) => ({ days, since: new Date(Date.now() - days * DAY_MS) })),
    run: async (db, window) => {
      await db.migrate();
      return aiCallStats(db.db, { since: window.since });
    },
    human: (rows, window) => formatAiStats(rows, window),
  }),
};

export const commands: Record<string, Command> = { ...dbCommands, ...jobCommands, ...userCommands, ...quotaCommands, ...moderationCommands, ...mailCommands };
