/**
 * Passwords never come from an argument: arguments are visible to every user of the machine
 * in the process list and stay in shell history. They are typed at a prompt that does not
 * echo, or piped in with `--password-stdin` (as `docker login` does).
 */
import { createInterface } from "node:readline";
import { PASSWORD_MAX, PASSWORD_MIN, passwordLength } from "@companion/auth";
import { read } from "read";
import { CliError, UsageError, type PrepareContext } from "./command.ts";

/** Refuses `--password …` / `--password=…` anywhere on the command line, saying why. */
export function refusePasswordArgument(argv: readonly string[]): void {
  if (argv.some((a) => a === "--password" || a.startsWith("--password="))) {
    throw new UsageError(
      "--password is not accepted: an argument is visible to other users in the process list and stays in shell history. " +
        "Type the password at the prompt, or pipe it in with --password-stdin.",
    );
  }
}

/** The first line of `input`, without its line ending; undefined when the input is empty. */
async function readFirstLine(input: NodeJS.ReadableStream): Promise<string | undefined> {
  const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return line;
    return undefined;
  } finally {
    lines.close();
  }
}

/** A new password: one line of stdin with `fromStdin`, else typed twice at a hidden prompt. */
export async function readNewPassword(ctx: PrepareContext, fromStdin: boolean): Promise<string> {
  let password: string | undefined;
  if (fromStdin) {
    password = await readFirstLine(ctx.stdin);
    if (!password) throw new UsageError("--password-stdin: standard input held no password (one line is read)");
  } else {
    if (!ctx.stdin.isTTY) throw new UsageError("no terminal to prompt for the password on: pipe it in with --password-stdin");
    password = await prompt(ctx, "Password: ");
    if ((await prompt(ctx, "Repeat password: ")) !== password) throw new UsageError("the two passwords typed differ");
  }
  const length = passwordLength(password);
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) throw new UsageError(`the password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  return password;
}

async function prompt(ctx: PrepareContext, text: string): Promise<string> {
  try {
    // terminal: true puts the TTY in raw mode, so the terminal itself does not echo either,
    // even when stderr is redirected.
    return await read({ prompt: text, silent: true, replace: "", terminal: true, input: ctx.stdin, output: ctx.prompt });
  } catch (err) {
    // read rejects with "canceled" on Ctrl-C; 130 is the shell's code for an interrupt.
    throw new CliError("CANCELLED", "cancelled", 130, { cause: err });
  } finally {
    // The Enter key's newline was muted with the rest; without it the next output would follow the prompt on its line.
    ctx.prompt.write("\n");
  }
}
