import { listLiveSessionRevocations, SESSION_REVOCATIONS_CHANNEL, type Database, type DatabaseHandle } from "@companion/db";

/**
 * The revoked sessions this process refuses (docs/auth.md#revocation): a Map from family id to
 * the time its last access token expires, so the check on every request is one Map lookup.
 * Filled at start from session_revocations, kept current by the NOTIFY that every revocation
 * sends when its transaction commits, reloaded after each (re)LISTEN so that a revocation made
 * while the listening connection was down is not missed, and pruned as entries expire.
 */
export interface SessionRevocations {
  /** True when access tokens of this session must be refused. */
  isRevoked(familyId: string): boolean;
  /** Refuses these sessions in this process now, before their NOTIFY arrives (the revoking process itself). */
  add(familyIds: readonly string[], expiresAt: Date): void;
  size(): number;
  close(): Promise<void>;
}

export interface SessionRevocationsOptions {
  db: Database;
  listen: DatabaseHandle["listen"];
  now?: () => Date;
  /** A reload or a malformed payload failed; the set carries on with what it has. */
  onError?: (err: unknown) => void;
  /** How often expired entries are dropped (default a minute). */
  pruneEveryMs?: number;
}

const PAYLOAD = /^(\d+):([0-9a-f-]{36}(?:,[0-9a-f-]{36})*)$/;

export async function startSessionRevocations(options: SessionRevocationsOptions): Promise<SessionRevocations> {
  const now = options.now ?? (() => new Date());
  const report = options.onError ?? (() => {});
  const revoked = new Map<string, number>();
  let started = false;

  const put = (familyId: string, expiresMs: number) => {
    if (expiresMs > (revoked.get(familyId) ?? 0)) revoked.set(familyId, expiresMs);
  };
  const reload = async () => {
    // Merged, never replaced: a NOTIFY that arrives while this reads must not be lost.
    for (const row of await listLiveSessionRevocations(options.db, { now: now() })) put(row.familyId, row.expiresAt.getTime());
  };
  const onPayload = (payload: string) => {
    const m = PAYLOAD.exec(payload);
    if (!m?.[1] || !m[2]) return report(new Error(`unexpected ${SESSION_REVOCATIONS_CHANNEL} payload: ${payload.slice(0, 100)}`));
    const expiresMs = Number(m[1]);
    for (const id of m[2].split(",")) put(id, expiresMs);
  };
  const onListen = () => {
    // After a reconnect: revocations committed while nobody listened are only in the table.
    if (started) reload().catch(report);
  };

  const unlisten = await options.listen(SESSION_REVOCATIONS_CHANNEL, onPayload, onListen);
  try {
    // After LISTEN: a revocation committed in between is both in the table and notified.
    await reload();
  } catch (err) {
    await unlisten();
    throw err;
  }
  started = true;

  const prune = () => {
    const t = now().getTime();
    for (const [id, expiresMs] of revoked) if (expiresMs <= t) revoked.delete(id);
  };
  const timer = setInterval(prune, options.pruneEveryMs ?? 60_000);
  timer.unref();

  return {
    isRevoked(familyId) {
      const expiresMs = revoked.get(familyId);
      return expiresMs !== undefined && expiresMs > now().getTime();
    },
    add(familyIds, expiresAt) {
      for (const id of familyIds) put(id, expiresAt.getTime());
    },
    size: () => revoked.size,
    async close() {
      clearInterval(timer);
      await unlisten();
    },
  };
}
