/** The development outbox (docs/account.md#mail): mail "sent" when SMTP_URL is unset; `pnpm admin mail:outbox` lists it. */
import { and, desc, eq, lt, or } from "drizzle-orm";
import { decodeCursor, encodeCursor, toPage, type Page } from "../../pagination.ts";
import { mailOutbox } from "../../schema/index.ts";
import type { Database } from "../../types.ts";

export interface OutboxMail {
  id: string;
  userId: string | null;
  toAddress: string;
  subject: string;
  body: string;
  createdAt: Date;
}

const outboxColumns = {
  id: mailOutbox.id,
  userId: mailOutbox.userId,
  toAddress: mailOutbox.toAddress,
  subject: mailOutbox.subject,
  body: mailOutbox.body,
  createdAt: mailOutbox.createdAt,
};

export async function insertOutboxMail(db: Database, mail: { userId: string | null; toAddress: string; subject: string; body: string }): Promise<void> {
  await db.insert(mailOutbox).values(mail);
}

/** Newest first, keyset-paged on (created_at, id); `to`: one address only. */
export async function listOutboxMail(db: Database, params: { to?: string | undefined; cursor?: string | undefined; limit: number }): Promise<Page<OutboxMail>> {
  const after = params.cursor ? decodeCursor(params.cursor) : null;
  const rows = await db
    .select(outboxColumns)
    .from(mailOutbox)
    .where(
      and(
        params.to === undefined ? undefined : eq(mailOutbox.toAddress, params.to),
        after ? or(lt(mailOutbox.createdAt, after.createdAt), and(eq(mailOutbox.createdAt, after.createdAt), lt(mailOutbox.id, after.id))) : undefined,
      ),
    )
    .orderBy(desc(mailOutbox.createdAt), desc(mailOutbox.id))
    .limit(params.limit + 1);
  return toPage(rows, params.limit, encodeCursor);
}
