/**
 * Operator CLI: `pnpm admin <command> [--flags]`. Exit codes: 0 ok, 1 failure,
 * 2 usage error, 75 the embedded database is held by a running server.
 */
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DataDirLockedError, describeError, DomainError, openConfiguredDatabase, type DatabaseHandle } from "@companion/db";
import { commands, UsageError } from "./commands.ts";
import { parseAdminEnv } from "./env.ts";

const cliOptions = {
  email: { type: "string" },
  password: { type: "string" },
  name: { type: "string" },
  admin: { type: "boolean" },
  limit: { type: "string" },
  cursor: { type: "string" },
  file: { type: "string" },
  days: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

function help(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(70)} ${c.summary}`);
  return [
    "Usage: pnpm admin <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Uses DATABASE_URL when set, otherwise the embedded database under .data/ (stop the server first).",
  ].join("\n");
}

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const stdio: CliIO = { out: (s) => process.stdout.write(s + "\n"), err: (s) => process.stderr.write(s + "\n") };

/** Runs one command; returns the exit code. `openDb` is injectable so tests use their own database. */
export async function runCli(argv: string[], io: CliIO = stdio, openDb: () => Promise<DatabaseHandle> = () => openConfiguredDatabase(parseAdminEnv())): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`Unknown command: ${name}\n\n${help()}`);
    return 2;
  }
  let flags;
  try {
    const parsed = parseArgs({ args: rest, options: cliOptions, strict: true, allowPositionals: true });
    // One positional argument is shorthand for --file (`companions:import FILE.json`).
    if (parsed.positionals.length > 1) throw new Error(`Unexpected arguments: ${parsed.positionals.join(" ")}`);
    flags = { ...parsed.values, ...(parsed.positionals[0] && !parsed.values.file ? { file: parsed.positionals[0] } : {}) };
  } catch (err) {
    io.err(`${(err as Error).message}\nUsage: pnpm admin ${command.usage}`);
    return 2;
  }
  if (flags.help) {
    io.out(`Usage: pnpm admin ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let db;
  try {
    db = await openDb();
  } catch (err) {
    io.err(err instanceof DataDirLockedError ? err.message : `Cannot open the database: ${(err as Error).message}`);
    return err instanceof DataDirLockedError ? 75 : 1;
  }
  try {
    await command.run(db, flags, { out: io.out });
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\nUsage: pnpm admin ${command.usage}`);
      return 2;
    }
    io.err(err instanceof DomainError ? `${err.code}: ${err.message}` : `Failed: ${describeError(err)}`);
    return 1;
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runCli(process.argv.slice(2));
}
