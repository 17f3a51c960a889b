import { Readable } from "node:stream";
import type { DatabaseHandle } from "@companion/db";
import { runCli } from "../src/main.ts";

/**
 * Runs the CLI in-process on a test's database (kept open: the CLI closes what it opens).
 * `opened()` counts how often a command opened the database, so a test can check that a bad
 * command line never got that far.
 */
export function cliOn(db: DatabaseHandle) {
  let opened = 0;
  const run = async (argv: string[], stdin?: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(argv, {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      openDb: async () => {
        opened++;
        return { ...db, close: async () => {} };
      },
      // Not a TTY: like a pipe, or a terminal-less job.
      stdin: Readable.from(stdin === undefined ? [] : [stdin]),
    });
    return { code, out: out.join("\n"), err: err.join("\n"), lines: out };
  };
  const cli = (...argv: string[]) => run(argv);
  return Object.assign(cli, {
    withStdin: (stdin: string, ...argv: string[]) => run(argv, stdin),
    opened: () => opened,
  });
}
