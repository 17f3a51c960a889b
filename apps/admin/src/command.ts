/**
 * How a command is declared and run in two phases: its flags and arguments are parsed
 * (node:util parseArgs) and validated (a Zod schema), and any file or password it needs is
 * read, all before the database is opened; only then does `run` get the database.
 */
import { parseArgs, type ParseArgsOptionDescriptor } from "node:util";
import type { DatabaseHandle } from "@companion/db";
import { z } from "zod";

/** A failure with its own machine-readable code and process exit code (sysexits.h where one fits). */
export class CliError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(code: string, message: string, exitCode: number, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.exitCode = exitCode;
    this.name = "CliError";
  }
}

/** EX_USAGE: bad flags or arguments, or a bad input file. The database was not opened. */
const EX_USAGE = 64;
/** EX_CONFIG: the environment (DATABASE_URL, EVENT_RETENTION_MS, …) is invalid. */
export const EX_CONFIG = 78;

export class UsageError extends CliError {
  constructor(message: string) {
    super("USAGE", message, EX_USAGE);
    this.name = "UsageError";
  }
}

interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in help, e.g. `N` for `--days N`. */
  value?: string;
  description: string;
}

export interface ArgSpec {
  /** As shown in help, e.g. `email|id`. */
  name: string;
  description: string;
  optional?: boolean;
}

/** What a command may use before the database opens. */
export interface PrepareContext {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Where prompts go: the terminal's stderr, never stdout, which carries the result. */
  prompt: NodeJS.WritableStream;
  /** The directory the operator ran the command in; relative paths are resolved against it. */
  cwd: string;
}

interface Output {
  /** What `--json` prints: an object, or an array of objects for lists. */
  json: unknown;
  /** The lines printed without `--json`. */
  human: string[];
  /** With `--json`, a note for the operator on stderr (stdout stays pure JSON). */
  hint?: string | undefined;
}

/** A command with its types erased, as the runner sees it. */
export interface Command {
  summary: string;
  args: readonly ArgSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  /** Validates `raw` and prepares; throws UsageError. Resolves to the part that needs the database. */
  prepare(raw: RawInput, ctx: PrepareContext): Promise<(db: DatabaseHandle) => Promise<Output>>;
}

/** Parsed flags by name, plus the positional arguments as `args`. */
export type RawInput = Record<string, string | boolean | string[] | undefined>;

interface CommandSpec<I, P, R> {
  summary: string;
  args?: readonly ArgSpec[];
  options?: Record<string, OptionSpec>;
  /** Checks the parsed flags and arguments; messages name the flag or argument at fault. */
  input: z.ZodType<I>;
  prepare?: (input: I, ctx: PrepareContext) => Promise<P>;
  run: (db: DatabaseHandle, input: P) => Promise<R>;
  /** The JSON shape; the result itself when omitted. */
  json?: (result: R, input: P) => unknown;
  human: (result: R, input: P) => string[];
  hint?: (result: R, input: P) => string | undefined;
}

/** `P` (what `run` gets) is `I` when the command has nothing to prepare. */
export function defineCommand<I, P = I, R = unknown>(spec: CommandSpec<I, P, R>): Command {
  const args = spec.args ?? [];
  return {
    summary: spec.summary,
    args,
    options: spec.options ?? {},
    async prepare(raw, ctx) {
      const parsed = spec.input.safeParse(raw);
      if (!parsed.success) throw new UsageError(formatIssues(parsed.error, args));
      const input = spec.prepare ? await spec.prepare(parsed.data, ctx) : (parsed.data as unknown as P);
      return async (db) => {
        const result = await spec.run(db, input);
        return {
          json: spec.json ? spec.json(result, input) : result,
          human: spec.human(result, input),
          hint: spec.hint?.(result, input),
        };
      };
    },
  };
}

function formatIssues(error: z.ZodError, args: readonly ArgSpec[]): string {
  return error.issues
    .map((issue) => {
      const [head, index] = issue.path;
      if (head === "args") {
        const arg = typeof index === "number" ? args[index] : undefined;
        return arg ? `<${arg.name}>: ${issue.message}` : issue.message;
      }
      return head === undefined ? issue.message : `--${String(head)}: ${issue.message}`;
    })
    .join("\n");
}

/** Flags every command takes. */
const commonOptions: Readonly<Record<string, OptionSpec>> = {
  json: { type: "boolean", description: "print the result as JSON (errors as JSON on stderr)" },
  help: { type: "boolean", short: "h", description: "show this help" },
};

/** Parses argv for one command; unknown flags and surplus arguments are usage errors. */
export function parseCommandLine(command: Command, argv: string[]): { raw: RawInput; json: boolean; help: boolean } {
  const options: Record<string, ParseArgsOptionDescriptor> = {};
  for (const [name, spec] of Object.entries({ ...command.options, ...commonOptions })) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // parseArgs' own wording suggests `--` tricks; say plainly what is wrong instead.
    const flag = /'([^']+)'/.exec(e.message)?.[1];
    if (e.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) throw new UsageError(`unknown option ${flag}`);
    throw new UsageError(e.message);
  }
  const { json, help, ...values } = parsed.values as Record<string, string | boolean | undefined>;
  const raw = { ...values, args: parsed.positionals };
  if (help === true) return { raw, json: json === true, help: true };
  if (parsed.positionals.length > command.args.length) {
    throw new UsageError(`unexpected argument: ${parsed.positionals.slice(command.args.length).join(" ")}`);
  }
  const missing = command.args.slice(parsed.positionals.length).find((a) => !a.optional);
  if (missing) throw new UsageError(`<${missing.name}>: is required`);
  return { raw, json: json === true, help: false };
}

export function usageLine(name: string, command: Command): string {
  const args = command.args.map((a) => (a.optional ? `[<${a.name}>]` : `<${a.name}>`));
  return ["pnpm admin", name, ...args, "[options]"].join(" ");
}

/** `pnpm admin <command> --help`. */
export function commandHelp(name: string, command: Command): string {
  const rows = (entries: [string, string][]) => {
    const width = Math.max(...entries.map(([left]) => left.length)) + 2;
    return entries.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
  };
  const options = Object.entries({ ...command.options, ...commonOptions }).map(([name, o]): [string, string] => [
    `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`,
    o.description,
  ]);
  const lines = [`Usage: ${usageLine(name, command)}`, "", command.summary];
  if (command.args.length > 0) lines.push("", "Arguments:", ...rows(command.args.map((a) => [`<${a.name}>`, a.description])));
  lines.push("", "Options:", ...rows(options));
  return lines.join("\n");
}

/** A string flag or argument that must be given. */
export const required = () => z.string({ error: (issue) => (issue.input === undefined ? "is required" : undefined) });

/** A whole number within bounds, from a flag's string; the message names the bounds. */
export const intFlag = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be a whole number from ${min} to ${max}`).max(max, `must be a whole number from ${min} to ${max}`));
