/**
 * The Mailer port (docs/account.md#mail): SMTP through nodemailer when SMTP_URL is set, otherwise
 * the development outbox, which stores the mail in `mail_outbox` (`pnpm admin mail:outbox`) and logs
 * its link. Only password reset mails today.
 */
import { insertOutboxMail, type Database } from "@companion/db";
import type { Transporter } from "nodemailer";

interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The account it is about, if any (the outbox row cascades with it). */
  userId: string | null;
  /** The one link the mail carries: the development outbox logs it (it is a secret: never logged with SMTP). */
  link?: string;
}

export interface Mailer {
  readonly kind: "smtp" | "outbox";
  send(message: MailMessage): Promise<void>;
  close(): void;
}

interface InfoLogger {
  info(obj: object, msg: string): void;
}

/**
 * SMTP (`smtp://user:pass@host:587`, `smtps://…`); a refusal or an unreachable server rejects.
 * nodemailer (650 kB of source) loads with the first mail, not at startup (docs/scaling.md#memory).
 */
export function createSmtpMailer(options: { url: string; from: string; timeoutMs?: number }): Mailer {
  const timeout = options.timeoutMs ?? 10_000;
  let transport: Promise<Transporter> | undefined;
  const open = () =>
    (transport ??= import("nodemailer").then(({ createTransport }) =>
      createTransport({ url: options.url, connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout }),
    ));
  return {
    kind: "smtp",
    async send(message) {
      await (await open()).sendMail({ from: options.from, to: message.to, subject: message.subject, text: message.text });
    },
    close: () => void transport?.then((t) => t.close(), () => undefined),
  };
}

/** For development only: the mail goes to the `mail_outbox` table and its link to the log, at info. */
export function createOutboxMailer(options: { db: Database; log: InfoLogger }): Mailer {
  return {
    kind: "outbox",
    async send(message) {
      await insertOutboxMail(options.db, { userId: message.userId, toAddress: message.to, subject: message.subject, body: message.text });
      options.log.info({ to: message.to, subject: message.subject, link: message.link }, "mail outbox (development): not sent; `pnpm admin mail:outbox` lists it");
    },
    close: () => undefined,
  };
}
