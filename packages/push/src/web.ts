import { PushUnavailableError, type PushMessage, type PushOutcome, type PushSender, type PushTarget } from "./types.ts";

export interface WebPushOptions {
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** How long the push service keeps an undelivered message (seconds). */
  ttlSeconds?: number;
  /** Per request; the job's own timeout is the backstop. */
  timeoutMs?: number;
  /** Accept `http:` endpoints on any host (local test endpoints only; real push services are https). */
  allowHttp?: boolean;
  /** Hosts (and their subdomains) pushes may go to; default: the browsers' push services. */
  allowedHosts?: readonly string[];
}

/**
 * The push services of Chrome/Android (FCM), Firefox, Edge/Windows and Safari. A subscription is
 * a URL the user hands us: without this list a job would POST wherever it points, private
 * networks included.
 */
const WEB_PUSH_HOSTS = ["fcm.googleapis.com", "updates.push.services.mozilla.com", "notify.windows.com", "push.apple.com"] as const;

const hostAllowed = (host: string, allowed: readonly string[]) => allowed.some((h) => host === h || host.endsWith(`.${h}`));

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291):
 * `web-push` builds the encrypted request, which is sent here with fetch, so it is abortable
 * and its status is ours to read. `web-push` (and its bignum and ASN.1 libraries) loads with
 * the first notification, not at startup (docs/scaling.md#memory).
 */
export function createWebPushSender(options: WebPushOptions): PushSender {
  const ttl = options.ttlSeconds ?? 86_400;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    name: "web-push",
    async send(target: PushTarget, message: PushMessage, { signal } = {}): Promise<PushOutcome> {
      if (!target.keys) return { status: "rejected", reason: "subscription has no keys" };
      const url = new URL(target.endpoint);
      if (url.protocol !== "https:" && !(options.allowHttp && url.protocol === "http:")) return { status: "rejected", reason: "endpoint is not https" };
      if (!options.allowHttp && !hostAllowed(url.hostname, options.allowedHosts ?? WEB_PUSH_HOSTS)) return { status: "rejected", reason: "endpoint is not a known push service" };
      const payload = JSON.stringify({ notificationId: message.notificationId, kind: message.kind, title: message.title, body: message.body });
      const { default: webpush } = await import("web-push");
      const request = webpush.generateRequestDetails({ endpoint: target.endpoint, keys: target.keys }, payload, {
        vapidDetails: options.vapid,
        TTL: ttl,
        contentEncoding: "aes128gcm",
        // A notification id without dashes is 32 base64url characters, the Topic header's limit.
        topic: message.notificationId.replaceAll("-", ""),
        urgency: "normal",
      });
      const deadline = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(request.endpoint, {
          method: request.method,
          headers: request.headers as Record<string, string>,
          body: request.body ? new Uint8Array(request.body) : null,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
          redirect: "manual",
        });
      } catch (err) {
        throw new PushUnavailableError("push service unreachable", null, { cause: err });
      }
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { status: "delivered" };
      if (response.status === 404 || response.status === 410) return { status: "gone" };
      if (response.status === 429 || response.status >= 500) throw new PushUnavailableError(`push service answered ${response.status}`, response.status);
      return { status: "rejected", reason: `push service answered ${response.status}` };
    },
  };
}
