/**
 * What refusing revoked sessions adds to every authenticated request, the feed's included
 * (docs/auth.md#revocation): the revocation check is one Map lookup in the process's set of
 * revoked sessions. Loads 10,000 revoked sessions (100,000 at full scale) into PGlite, starts
 * the set as a server does, and reports the p50 of the check alone (target < 0.05 ms) and of
 * `verifyAccessToken` (a token already verified once, as on every call after the first) with
 * and without the set.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createAccessTokenService, createAuthService, startSessionRevocations } from "@companion/auth";
import { openDatabase, recordSessionRevocations } from "@companion/db";
import { percentile } from "./stats.ts";

const BATCH = 1_000;

export async function runRevocationsBench(params: { scale: "full" | "small"; log: (line: string) => void }): Promise<void> {
  const { log } = params;
  const revokedCount = params.scale === "full" ? 100_000 : 10_000;
  const samples = params.scale === "full" ? 300 : 100;
  const handle = await openDatabase({ kind: "pglite" });
  try {
    await handle.migrate();
    const now = new Date();
    const expiresAt = new Date(now.getTime() + 900_000);
    const revoked = Array.from({ length: revokedCount }, () => randomUUID());
    for (let i = 0; i < revoked.length; i += 1_000) {
      await recordSessionRevocations(handle.db, { userId: randomUUID(), familyIds: revoked.slice(i, i + 1_000), revokedAt: now, expiresAt });
    }
    const loadStarted = performance.now();
    const revocations = await startSessionRevocations({ db: handle.db, listen: handle.listen });
    const loadMs = performance.now() - loadStarted;

    // The check alone, per call: batches of lookups (half revoked, half live) over a clock of ~µs resolution.
    const live = Array.from({ length: BATCH }, (_, i) => (i % 2 ? randomUUID() : (revoked[i] ?? randomUUID())));
    const perCheck: number[] = [];
    let hits = 0;
    for (let s = 0; s < samples + 10; s++) {
      const started = performance.now();
      for (const id of live) if (revocations.isRevoked(id)) hits++;
      if (s >= 10) perCheck.push((performance.now() - started) / BATCH);
    }

    const tokens = createAccessTokenService({ keys: [{ kid: "bench", secret: new Uint8Array(randomBytes(32)) }], issuer: "bench", audience: "bench" });
    const { token } = await tokens.sign({ userId: randomUUID(), sessionId: randomUUID(), role: "user" });
    const pepper = new Uint8Array(randomBytes(32));
    const without = createAuthService({ db: handle.db, tokens, refreshPepper: pepper });
    const withSet = createAuthService({ db: handle.db, tokens, refreshPepper: pepper, revocations });
    const verifyP50 = async (auth: typeof without) => {
      const times: number[] = [];
      for (let s = 0; s < samples + 10; s++) {
        const started = performance.now();
        for (let i = 0; i < 100; i++) await auth.verifyAccessToken(token);
        if (s >= 10) times.push((performance.now() - started) / 100);
      }
      return percentile(times, 50);
    };
    const before = await verifyP50(without);
    const after = await verifyP50(withSet);
    const checkP50 = percentile(perCheck, 50);
    await revocations.close();

    log(`\n===== session revocation check (${revokedCount.toLocaleString("en")} revoked sessions in the set) =====`);
    log(`load at start:                 ${loadMs.toFixed(1)} ms`);
    log(`revocation check, p50:         ${checkP50.toFixed(5)} ms per request (target < 0.05 ms) ${checkP50 < 0.05 ? "ok" : "OVER TARGET"}`);
    log(`verifyAccessToken p50 without: ${before.toFixed(5)} ms`);
    log(`verifyAccessToken p50 with:    ${after.toFixed(5)} ms (added: ${(after - before).toFixed(5)} ms)`);
    if (hits === 0) throw new Error("the revocation check found none of the revoked sessions");
  } finally {
    await handle.close();
  }
}
