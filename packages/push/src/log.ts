import type { PushSender } from "./types.ts";

/**
 * The embedded default's sender: no push service is configured, so it logs that a push would
 * go out (kind and platform only: never the endpoint, a token, or the text).
 */
export function createLogPushSender(log: { info(obj: object, msg: string): void }): PushSender {
  return {
    name: "log",
    send(target, message) {
      log.info({ platform: target.platform, kind: message.kind, notificationId: message.notificationId }, "push not sent: no push service configured");
      return Promise.resolve({ status: "delivered" });
    },
  };
}
