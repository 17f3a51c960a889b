/**
 * What of an error may be written to a log. Every logger of the apps uses `serializeError`
 * for `err` (pino `serializers`), and plain-text outputs use `describeError`.
 *
 * Driver errors carry the statement's parameters: drizzle puts them in the message
 * ("Failed query: <sql>\nparams: <params>", repeated by tRPC's wrapper and both stacks),
 * postgres.js and PGlite keep them in fields, and Postgres' `detail` and `where` repeat row
 * values. Those are emails, password hashes, tokens and message text. So nothing is copied
 * wholesale: a message loses its params and a trailing quoted value (Postgres' `...: "<the
 * input>"`), the stack keeps its frames under the cleaned message, and only the fields
 * below survive, which name things but hold no data: codes, constraint, table, column,
 * the SQL text (placeholders, never values), network address.
 */
const KEPT_FIELDS = [
  "code",
  "errno",
  "syscall",
  "address",
  "port",
  "status",
  "severity",
  "routine",
  "schema",
  "schema_name",
  "table",
  "table_name",
  "column",
  "column_name",
  "constraint",
  "constraint_name",
] as const;

const MAX_DEPTH = 4;
const MAX_FIELD_CHARS = 200;
const MAX_QUERY_CHARS = 2_000;
const FRAME = /^\s+at\s.*(?::\d+:\d+\)?|\(native\)|<anonymous>\)?)$/;

export interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  /** The SQL text of a failed statement, with its placeholders. */
  query?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
  [field: string]: unknown;
}

/** The message without statement parameters or a trailing quoted input value. */
export function redactMessage(message: string): string {
  const params = message.indexOf("\nparams:");
  const cut = params >= 0 ? message.slice(0, params) : message;
  return cut.replace(/: "(?:[^"\\]|\\.)*"$/s, ': "[redacted]"');
}

function isDrizzleQueryError(e: Record<string, unknown>): boolean {
  return typeof e.query === "string" && Array.isArray(e.params) && messageOf(e).startsWith("Failed query: ");
}

const messageOf = (e: Record<string, unknown>) => (typeof e.message === "string" ? e.message : "");

function safeMessage(e: Record<string, unknown>): string {
  // Drizzle's message repeats the query, kept once in `query`.
  if (isDrizzleQueryError(e)) return "Failed query";
  return redactMessage(messageOf(e));
}

function safeStack(stack: unknown, original: string, header: string): string | undefined {
  if (typeof stack !== "string") return undefined;
  // The stack starts with the original message (for tRPC's wrapper, its cause's); keep what follows it.
  const at = original ? stack.indexOf(original) : -1;
  const rest = at >= 0 ? stack.slice(at + original.length) : stack;
  const frames = rest.split("\n").filter((line) => FRAME.test(line));
  return [header, ...frames].join("\n");
}

function typeOf(e: Record<string, unknown>): string {
  const ctor = (e as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === "string" && ctor !== "Object" ? ctor : typeof e.name === "string" ? e.name : "Error";
}

function serialize(err: unknown, depth: number, parentQuery: string | undefined): SerializedError {
  if (!err || typeof err !== "object") return { type: typeof err, message: typeof err === "string" ? redactMessage(err) : String(err) };
  const e = err as Record<string, unknown>;
  const type = typeOf(e);
  const message = safeMessage(e);
  const out: SerializedError = { type, message };
  const stack = safeStack(e.stack, messageOf(e), `${type}: ${message}`);
  if (stack) out.stack = stack;
  for (const field of KEPT_FIELDS) {
    const value = e[field];
    if (typeof value === "number" || typeof value === "boolean") out[field] = value;
    else if (typeof value === "string") out[field] = value.slice(0, MAX_FIELD_CHARS);
  }
  if (typeof e.query === "string" && e.query !== parentQuery) out.query = e.query.slice(0, MAX_QUERY_CHARS);
  const query = typeof e.query === "string" ? e.query : parentQuery;
  if (depth < MAX_DEPTH) {
    if (e.cause !== undefined && e.cause !== null) out.cause = serialize(e.cause, depth + 1, query);
    if (Array.isArray(e.errors)) out.errors = e.errors.slice(0, 4).map((x) => serialize(x, depth + 1, query));
  }
  return out;
}

/** pino serializer for `err`: type, cleaned message and stack, safe fields, causes. */
export function serializeError(err: unknown): SerializedError {
  return serialize(err, 0, undefined);
}

/** The same, as text for a terminal (CLI and startup failures). */
export function describeError(err: unknown): string {
  const lines: string[] = [];
  let e: SerializedError | undefined = serializeError(err);
  for (let prefix = ""; e; prefix = "caused by: ", e = e.cause) {
    const facts = [e.code, e.constraint_name ?? e.constraint].filter((x) => typeof x === "string" && x.length > 0);
    lines.push(`${prefix}${e.type}: ${e.message}${facts.length ? ` [${facts.join(", ")}]` : ""}`);
    if (e.query) lines.push(`  query: ${e.query}`);
    lines.push(...(e.stack?.split("\n").slice(1) ?? []));
  }
  return lines.join("\n");
}

/** For pino's `serializers` option in every app's logger. */
export const logSerializers = { err: serializeError };
