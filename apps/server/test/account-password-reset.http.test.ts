/**
 * Password reset over HTTP (docs/account.md#password-reset): through a real SMTP server started
 * here (smtp-server), and through the development outbox.
 */
import { Writable } from "node:stream";
import { mailOutbox, passwordResetTokens, securityEvents } from "@companion/db";
import { desc, eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureOf } from "./companion-fixtures.ts";
import { startTestServer, uniqueEmail, type TestServer } from "./harness.ts";

interface Received {
  to: string[];
  raw: string;
}

/** A local SMTP server that keeps what it receives. */
async function startSmtp(): Promise<{ url: string; mails: Received[]; close: () => Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Undoes quoted-printable when the raw mail says it is so encoded (a plain body is left alone: its
 * token may well begin with two hex digits after the "="). */
function decodeMail(raw: string): string {
  if (!/Content-Transfer-Encoding:\s*quoted-printable/i.test(raw)) return raw;
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The token of the reset link in a (decoded) mail body. */
function tokenIn(decoded: string): string {
  const match = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(decoded);
  if (!match?.[1]) throw new Error("no reset link in the mail");
  return match[1];
}

const waitFor = async (check: () => boolean, timeoutMs = 5000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe("password reset through SMTP", () => {
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let t: TestServer;
  beforeAll(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ SMTP_URL: smtp.url, MAIL_FROM: "Companion <no-reply@example.com>", PASSWORD_RESET_URL: "https://app.example.com/reset-password" });
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  it("mails a single-use link; the reset revokes every session and the new password logs in", async () => {
    const email = uniqueEmail("reset");
    const first = t.session();
    const registered = await first.api.auth.register.mutate({ email, password: "old-password-1", displayName: "Reset" });
    const second = t.session();
    await second.api.auth.login.mutate({ email, password: "old-password-1" });
    const oldRefresh = [first.tokens()?.refreshToken, second.tokens()?.refreshToken];

    const anon = t.client();
    expect(await anon.auth.requestPasswordReset.mutate({ email: ` ${email.toUpperCase()} ` })).toEqual({ ok: true });
    await waitFor(() => smtp.mails.length === 1);
    const mail = smtp.mails[0];
    expect(mail?.to).toEqual([email]);
    expect(mail?.raw).toContain("From: Companion <no-reply@example.com>");
    expect(mail?.raw).toContain("https://app.example.com/reset-password?token=");
    const token = tokenIn(decodeMail(mail?.raw ?? ""));
    // Stored only as a hash.
    const stored = await t.database.db.select({ tokenHash: passwordResetTokens.tokenHash, expiresAt: passwordResetTokens.expiresAt }).from(passwordResetTokens).where(eq(passwordResetTokens.userId, registered.user.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]?.tokenHash).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000);

    const tooShort = await failureOf(() => anon.auth.resetPassword.mutate({ token, password: "short" }));
    expect(tooShort.code).toBe("BAD_REQUEST");
    expect(await anon.auth.resetPassword.mutate({ token, password: "new-password-2" })).toEqual({ ok: true });

    // Single use.
    const again = await failureOf(() => anon.auth.resetPassword.mutate({ token, password: "new-password-3" }));
    expect(again.code).toBe("BAD_REQUEST");
    expect(again.message).toMatch(/^token:/);
    // Every old session is over.
    for (const refreshToken of oldRefresh) {
      const refused = await failureOf(() => anon.auth.refresh.mutate({ refreshToken: refreshToken ?? "x".repeat(43) }));
      expect(refused.code).toBe("UNAUTHORIZED");
    }
    const oldLogin = await failureOf(() => anon.auth.login.mutate({ email, password: "old-password-1" }));
    expect(oldLogin.code).toBe("UNAUTHORIZED");
    const fresh = await t.client().auth.login.mutate({ email, password: "new-password-2" });
    expect(fresh.user.id).toBe(registered.user.id);

    const kinds = await t.database.db.select({ kind: securityEvents.kind }).from(securityEvents).where(eq(securityEvents.userId, registered.user.id)).orderBy(desc(securityEvents.createdAt));
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(["password_reset_requested", "password_reset"]));
  });

  it("answers an unknown email the same, in about the same time, and mails nobody", async () => {
    const known = uniqueEmail("known");
    await t.client().auth.register.mutate({ email: known, password: "password-1234", displayName: "Known" });
    const before = smtp.mails.length;
    const time = async (email: string) => {
      const started = performance.now();
      const answer = await t.client().auth.requestPasswordReset.mutate({ email });
      return { answer, ms: performance.now() - started };
    };
    const unknown = await time(uniqueEmail("nobody"));
    const real = await time(known);
    expect(unknown.answer).toEqual(real.answer);
    // Both are held to the same floor (400 ms), well above a local SMTP exchange.
    expect(unknown.ms).toBeGreaterThanOrEqual(390);
    expect(Math.abs(unknown.ms - real.ms)).toBeLessThan(250);
    await waitFor(() => smtp.mails.length === before + 1);
    expect(smtp.mails.at(-1)?.to).toEqual([known]);
  });

  it("refuses forged and expired tokens", async () => {
    const forged = await failureOf(() => t.client().auth.resetPassword.mutate({ token: "A".repeat(43), password: "new-password-9" }));
    expect(forged.code).toBe("BAD_REQUEST");

    const email = uniqueEmail("expired");
    await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "Expired" });
    const before = smtp.mails.length;
    await t.client().auth.requestPasswordReset.mutate({ email });
    await waitFor(() => smtp.mails.length === before + 1);
    const token = tokenIn(decodeMail(smtp.mails.at(-1)?.raw ?? ""));
    await t.database.db.update(passwordResetTokens).set({ expiresAt: new Date(Date.now() - 1000) });
    const expired = await failureOf(() => t.client().auth.resetPassword.mutate({ token, password: "new-password-9" }));
    expect(expired.code).toBe("BAD_REQUEST");
  });
});

describe("password reset through the development outbox", () => {
  let t: TestServer;
  const lines: string[] = [];
  beforeAll(async () => {
    const logTo = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
        done();
      },
    });
    t = await startTestServer({ LOG_LEVEL: "info" }, { logTo });
  });
  afterAll(async () => {
    await t.stop();
  });

  it("stores the mail in mail_outbox and logs its link; the token in it resets the password", async () => {
    const email = uniqueEmail("outbox");
    await t.client().auth.register.mutate({ email, password: "password-1234", displayName: "Outbox" });
    await t.client().auth.requestPasswordReset.mutate({ email });
    const rows = await t.database.db.select({ to: mailOutbox.toAddress, body: mailOutbox.body }).from(mailOutbox).where(eq(mailOutbox.toAddress, email));
    expect(rows).toHaveLength(1);
    const token = tokenIn(rows[0]?.body ?? "");
    const logged = lines.map((l) => JSON.parse(l) as { msg?: string; link?: string; level?: number }).find((l) => l.link?.includes(token));
    expect(logged).toMatchObject({ level: 30 });
    expect(logged?.link).toBe(`http://localhost:3001/reset-password?token=${token}`);
    await t.client().auth.resetPassword.mutate({ token, password: "another-password" });
    expect((await t.client().auth.login.mutate({ email, password: "another-password" })).user.email).toBe(email);
  });

  it("limits requests per email (and says so whether or not it exists)", async () => {
    const email = uniqueEmail("limited");
    for (let i = 0; i < 3; i++) await t.client().auth.requestPasswordReset.mutate({ email });
    const limited = await failureOf(() => t.client().auth.requestPasswordReset.mutate({ email }));
    expect(limited.code).toBe("TOO_MANY_REQUESTS");
  });
});
