import { usedStreamTickets } from "../schema/index.ts";
import type { Database } from "../types.ts";

/**
 * Marks a stream ticket used. True the first time for a ticket id, false ever after: the
 * primary key decides between concurrent redeemers, across processes.
 */
export async function redeemStreamTicket(db: Database, params: { jti: string; userId: string; expiresAt: Date }): Promise<boolean> {
  const rows = await db
    .insert(usedStreamTickets)
    .values({ jti: params.jti, userId: params.userId, expiresAt: params.expiresAt })
    .onConflictDoNothing({ target: usedStreamTickets.jti })
    .returning({ jti: usedStreamTickets.jti });
  return rows.length === 1;
}
