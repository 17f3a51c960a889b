/** The development mail outbox (docs/account.md#mail): mail:outbox. */
import { normalizeEmail } from "@companion/auth";
import { listOutboxMail, type OutboxMail } from "@companion/db";
import { z } from "zod";
import { defineCommand, intFlag, type Command } from "./command.ts";

const mailJson = (m: OutboxMail) => ({ ...m, createdAt: m.createdAt.toISOString() });

export const mailCommands: Record<string, Command> = {
  "mail:outbox": defineCommand({
    summary: "List the mail the server wrote to its development outbox (SMTP_URL unset), newest first",
    options: {
      to: { type: "string", value: "EMAIL", description: "only mail to this address" },
      limit: { type: "string", value: "N", description: "mails to show, 1 to 1000 (default 20)" },
    },
    input: z.object({ to: z.string().transform(normalizeEmail).pipe(z.email("must be an email address")).optional(), limit: intFlag(1, 1000).default(20) }),
    run: async (db, input) => {
      await db.migrate();
      return (await listOutboxMail(db.db, { to: input.to, limit: input.limit })).items;
    },
    json: (items) => items.map(mailJson),
    human: (items) =>
      items.length === 0
        ? ["the outbox is empty"]
        : items.flatMap((m) => [`${m.createdAt.toISOString()}  to ${m.toAddress}  ${m.subject}`, ...m.body.split("\n").map((line) => `    ${line}`), ""]),
  }),
};
