/**
 * The push port (docs/notifications.md): the notifications.push job hands a sender one device
 * and one message. A sender resolves to what happened or throws when a retry may help.
 */

/** A registered device, as the sender needs it. `endpoint`: the Web Push URL or a native token. */
export interface PushTarget {
  platform: string;
  endpoint: string;
  keys: { p256dh: string; auth: string } | null;
}

export interface PushMessage {
  /** Collapses duplicates on the push service (a job retried after it sent). */
  notificationId: string;
  kind: string;
  title: string;
  body: string;
}

/**
 * `delivered`: the push service accepted it. `gone`: the device no longer exists (404/410):
 * forget it. `rejected`: the service refused this request for good (4xx), retrying cannot help.
 * Anything that may pass later (5xx, 429, network, timeout) is thrown.
 */
export type PushOutcome = { status: "delivered" } | { status: "gone" } | { status: "rejected"; reason: string };

export interface PushSender {
  /** For logs and metrics: "web-push", "log". */
  readonly name: string;
  send(target: PushTarget, message: PushMessage, options?: { signal?: AbortSignal }): Promise<PushOutcome>;
}

/** A push service that did not answer in time, failed (5xx), or asked to slow down (429). */
export class PushUnavailableError extends Error {
  readonly httpStatus: number | null;
  constructor(message: string, httpStatus: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PushUnavailableError";
    this.httpStatus = httpStatus;
  }
}
