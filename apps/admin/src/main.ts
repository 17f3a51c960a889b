/**
 * Operator CLI: `pnpm admin <command> [arguments] [options]`. Standard output carries only the result
 * (JSON with `--json`), messages and errors go to standard error; exit codes are in docs/admin.md.
 */
import { pathToFileURL } from "node:url";
import { DataDirLockedError, describeError, loadDotEnv, redactMessage, openConfiguredDatabase, type DatabaseHandle } from "@companion/db";
import { DomainError } from "@companion/errors";
import { z } from "zod";
import { CliError, commandHelp, EX_CONFIG, parseCommandLine, UsageError, usageLine, type Command, type PrepareContext } from "./command.ts";
import { commands } from "./commands.ts";
import { invocationDir, parseAdminEnv } from "./env.ts";
import { refusePasswordArgument } from "./password.ts";

const EX_UNAVAILABLE = 69;
const EX_TEMPFAIL = 75;

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length)) + 2;
  return [
    "Usage: pnpm admin <command> [arguments] [options]",
    "",
    "Commands:",
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`),
    "",
    "Every command takes --json (the result as JSON on stdout, errors as JSON on stderr) and --help",
    "(its arguments and options): pnpm admin <command> --help.",
    "Uses DATABASE_URL when set, otherwise the embedded database under DATA_DIR (.data/; stop the server first).",
    "Exit codes: 0 ok, 1 failed, 64 bad usage (nothing opened), 69 database unreachable, 75 embedded database in use, 78 bad environment.",
  ].join("\n");
}

export interface CliDeps extends PrepareContext {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Injectable so tests use their own database. */
  openDb: () => Promise<DatabaseHandle>;
}

async function openFromEnv(): Promise<DatabaseHandle> {
  let env;
  try {
    env = parseAdminEnv();
  } catch (err) {
    const detail = err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message;
    throw new CliError("CONFIG", `Invalid environment:\n${detail}`, EX_CONFIG, { cause: err });
  }
  return openConfiguredDatabase(env);
}

const defaultDeps = (): CliDeps => ({
  out: (s) => process.stdout.write(s + "\n"),
  err: (s) => process.stderr.write(s + "\n"),
  openDb: openFromEnv,
  stdin: process.stdin,
  prompt: process.stderr,
  cwd: invocationDir(),
});

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], overrides: Partial<CliDeps> = {}): Promise<number> {
  const deps = { ...defaultDeps(), ...overrides };
  const [name, ...rest] = argv;
  // Known before parsing, so that even a usage error is reported as JSON.
  const json = rest.includes("--json");
  const command = name === undefined ? undefined : commands[name];
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      if (name === undefined) throw new UsageError("no command given");
      deps.out(help());
      return 0;
    }
    if (!command) throw new UsageError(`unknown command: ${name}`);
    refusePasswordArgument(rest);
    const parsed = parseCommandLine(command, rest);
    if (parsed.help) {
      deps.out(commandHelp(name, command));
      return 0;
    }
    const run = await command.prepare(parsed.raw, deps);
    const db = await open(deps);
    let output;
    try {
      output = await run(db);
    } finally {
      await db.close();
    }
    if (json) {
      deps.out(JSON.stringify(output.json));
      if (output.hint) deps.err(output.hint);
    } else {
      for (const line of output.human) deps.out(line);
    }
    return 0;
  } catch (err) {
    return report(err, { json, deps, name, command });
  }
}

async function open(deps: CliDeps): Promise<DatabaseHandle> {
  try {
    return await deps.openDb();
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (err instanceof DataDirLockedError) throw new CliError(err.code, err.message, EX_TEMPFAIL, { cause: err });
    throw new CliError("DATABASE_UNAVAILABLE", `Cannot open the database: ${(err as Error).message}`, EX_UNAVAILABLE, { cause: err });
  }
}

function report(err: unknown, at: { json: boolean; deps: CliDeps; name: string | undefined; command: Command | undefined }): number {
  const { code, exitCode } =
    err instanceof CliError ? err : err instanceof DomainError ? { code: err.code, exitCode: 1 } : { code: "INTERNAL", exitCode: 1 };
  // Our own errors say what happened; anything else (a failed statement) may carry values, so
  // only its redacted form is printed, in JSON or not.
  const message = err instanceof CliError || err instanceof DomainError ? err.message : err instanceof Error ? redactMessage(err.message) : "unknown error";
  if (at.json) {
    at.deps.err(JSON.stringify({ error: { code, message } }));
  } else if (err instanceof UsageError) {
    const usage = at.name && at.command ? `Usage: ${usageLine(at.name, at.command)}\nMore: pnpm admin ${at.name} --help` : help();
    at.deps.err(`${message}\n${usage}`);
  } else if (err instanceof CliError || err instanceof DomainError) {
    at.deps.err(`${code}: ${message}`);
  } else {
    at.deps.err(`Failed: ${describeError(err)}`);
  }
  return exitCode;
}

/** The process entry: `bin/admin.js`, or this file run directly. */
export async function main(): Promise<void> {
  // `pnpm admin user:list --json | head` closes the pipe early; that is not an error.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw err;
  });
  try {
    loadDotEnv();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EX_CONFIG;
    return;
  }
  process.exitCode = await runCli(process.argv.slice(2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
