/**
 * The HTTP side of the metrics (docs/metrics.md): counting each request by a bounded route
 * label, and GET /metrics on the main port, which answers only with the METRICS_TOKEN.
 * METRICS_PORT (start.ts) serves the same text without a token, for an internal scrape.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { appRouter } from "@companion/api";
import { httpRequestDuration, httpRequests, sendMetrics, trpcSubscriptionsOpen } from "@companion/metrics";
import type { Logger } from "pino";
import { bearerToken, sendJson } from "./http-utils.ts";
import { MEDIA_PREFIX } from "./media.ts";
import { UPLOADS_PREFIX } from "./uploads.ts";

const TRPC_PREFIX = "/trpc/";
const FIXED_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
/** Anything that names no route of ours: unknown paths and procedures, malformed batches. */
const OTHER = "other";
/** nginx's "client closed request": the client left before any response was written. */
const CLIENT_CLOSED = "499";

/**
 * The route labels of a request path: the procedure of a tRPC call (each one of a batch
 * `/trpc/a,b`), a fixed name for our other routes, `other` for the rest. Never the raw
 * path, so no id, query string or made-up URL can add a series.
 */
export function routeLabels(path: string, procedures: ReadonlySet<string>, maxBatch: number): string[] {
  if (path.startsWith(TRPC_PREFIX)) {
    const names = path.slice(TRPC_PREFIX.length).split(",");
    // A batch larger than tRPC accepts is refused whole; it must not count as many.
    if (names.length > maxBatch) return [OTHER];
    return names.map((name) => (procedures.has(name) ? name : OTHER));
  }
  if (FIXED_ROUTES.has(path)) return [path];
  if (path.startsWith(MEDIA_PREFIX)) return ["/media"];
  if (path.startsWith(UPLOADS_PREFIX)) return ["/uploads"];
  return [OTHER];
}

export type RequestTracker = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Counts `req` in http_requests_total and http_request_duration_seconds once its response
 * ends (or its connection closes). A subscription (an SSE request: EventSource always asks
 * for text/event-stream) is in trpc_subscriptions_open meanwhile.
 */
export function createRequestTracker(maxBatch: number): RequestTracker {
  const procedures = new Set(Object.keys(appRouter._def.procedures));
  return (req, res) => {
    const started = performance.now();
    const routes = routeLabels(req.url?.split("?")[0] ?? "/", procedures, maxBatch);
    const method = req.method && METHODS.has(req.method) ? req.method : OTHER;
    const [first] = routes;
    const stream = routes.length === 1 && first !== OTHER && req.headers.accept?.includes("text/event-stream") ? first : undefined;
    if (stream) trpcSubscriptionsOpen.inc({ route: stream });
    res.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const code = res.headersSent ? String(res.statusCode) : CLIENT_CLOSED;
      for (const route of routes) {
        httpRequests.inc({ route, method, code });
        httpRequestDuration.observe({ route }, seconds);
      }
      if (stream) trpcSubscriptionsOpen.dec({ route: stream });
    });
  };
}

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * GET /metrics on the main port. Without METRICS_TOKEN it does not exist (404, like any
 * unknown path): metrics are not public by default. With it, only `Authorization: Bearer
 * <token>` is answered; the comparison is constant-time over digests of equal length.
 */
export function createMetricsRoute(token: string | undefined, log: Logger): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const expected = token === undefined ? null : digest(token);
  return async (req, res) => {
    if (!expected) return sendJson(res, 404, { error: "Not found" });
    const given = bearerToken(req);
    if (given === null || !timingSafeEqual(digest(given), expected)) {
      return sendJson(res, 401, { error: "Unauthorized" }, { "www-authenticate": 'Bearer realm="metrics"' });
    }
    await sendMetrics(req, res, (err) => log.error({ err }, "metrics scrape failed"));
  };
}
