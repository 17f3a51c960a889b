/**
 * The HTTP entry: health probes, metrics, then tRPC at /trpc (batching, streaming, SSE).
 * Cross-cutting concerns live here: request id + access log, security headers, CORS,
 * body cap (413), request timeout, and graceful shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { appRouter, createContextFromToken } from "@companion/api";
import { DATABASE_RETRY_AFTER_MS, isDatabaseUnavailable } from "@companion/db";
import type { TRPCError } from "@trpc/server";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import type { TRPCRequestInfo } from "@trpc/server/http";
import type { Logger } from "pino";
import type { Env } from "./env.ts";
import { bearerToken, clientIp, handleCors, requestIdOf, sendJson, setSecurityHeaders } from "./http-utils.ts";
import type { Runtime } from "./services.ts";
import { createMediaRoute, DEMO_MEDIA_DIR, IMMUTABLE_CACHE, MEDIA_PREFIX } from "./media.ts";
import { createReadinessRoute } from "./readiness.ts";
import { createMetricsRoute, createRequestTracker } from "./metrics.ts";
import { createSseKeepAlive } from "./sse-keepalive.ts";
import { createSingleCallHandler } from "./trpc-single-call.ts";
import { createUploadRoutes, UPLOADS_PREFIX } from "./uploads.ts";

export interface HttpApp {
  server: Server;
  listen(): Promise<AddressInfo>;
  /** Requests currently being served (SSE streams included). */
  inflightCount(): number;
  /** Stop accepting, end SSE streams, let in-flight requests finish (up to the grace), close. */
  shutdown(): Promise<void>;
}

/** Time left after cutting chat replies for their partial saves and final events to go out. */
/** The one procedure with its own body cap (MAX_CARD_BODY_BYTES); batched with others it gets the common one. */
const LARGE_BODY_PATH = "/trpc/companions.importCard";

const interruptMarginMs = (graceMs: number) => Math.min(2_000, Math.max(250, Math.round(graceMs / 5)));

export function createHttpApp(env: Env, runtime: Runtime, log: Logger): HttpApp {
  const production = env.NODE_ENV === "production";
  const logRequests = log.isLevelEnabled("info");
  let ready = false;
  let shuttingDown = false;
  const inflight = new Set<ServerResponse>();
  const keepAlive = createSseKeepAlive(env.SSE_KEEPALIVE_MS);
  // Uploads on local storage are read under /media/u/... too, through signed URLs only.
  const media = createMediaRoute({
    staticRoots: [{ dir: DEMO_MEDIA_DIR, cacheControl: IMMUTABLE_CACHE }],
    uploads: runtime.localMedia ? { storage: runtime.localMedia, db: runtime.services.db } : null,
    log,
  });
  const trackRequest = createRequestTracker(env.MAX_BATCH_SIZE);
  const metrics = createMetricsRoute(env.METRICS_TOKEN, log);

  const createContext = ({ req, info }: { req: IncomingMessage; info: TRPCRequestInfo }) => {
    // No long-lived credential in a URL: SSE from a client that cannot send headers brings
    // a single-use stream ticket (auth.streamTicket, messages.start) as a connection param.
    const ticket = info.connectionParams?.ticket;
    const credential = bearerToken(req) ?? (typeof ticket === "string" && ticket !== "" ? { ticket } : null);
    return createContextFromToken(runtime.services, credential, {
      ip: clientIp(req, env.TRUST_PROXY_HOPS),
      userAgent: req.headers["user-agent"] ?? null,
      requestId: String(req.headers["x-request-id"] ?? ""),
    });
  };
  const responseMeta = ({ errors }: { errors: TRPCError[] }) => {
    const retryAfterMs = errors
      .map((e) => (e.cause as { details?: { retryAfterMs?: unknown } } | undefined)?.details?.retryAfterMs)
      .find((v): v is number => typeof v === "number");
    return retryAfterMs === undefined ? {} : { headers: { "Retry-After": String(Math.ceil(retryAfterMs / 1000)) } };
  };
  const logProcedureError = (error: TRPCError, path: string | undefined, type: string, requestId: string | null | undefined) => {
    if (error.code === "INTERNAL_SERVER_ERROR") log.error({ reqId: requestId, err: error.cause ?? error, path, type }, "procedure failed");
  };
  const trpcOptions = {
    router: appRouter,
    basePath: "/trpc/",
    maxBatchSize: env.MAX_BATCH_SIZE,
    createContext,
    responseMeta,
    onError: ({ error, path, type, req }) => logProcedureError(error, path, type, req.headers["x-request-id"] as string | undefined),
  } satisfies Parameters<typeof createHTTPHandler<typeof appRouter>>[0];
  const trpc = createHTTPHandler({ ...trpcOptions, maxBodySize: env.MAX_BODY_BYTES });
  // A character card PNG is bigger than any other request: its one procedure, called alone
  // (packages/client sends it unbatched), gets its own body cap (docs/character-cards.md).
  const trpcLargeBody = createHTTPHandler({ ...trpcOptions, maxBodySize: env.MAX_CARD_BODY_BYTES });
  // A single query or mutation skips the adapter's fetch objects (trpc-single-call.ts); the rest
  // goes to the standard adapter. TRPC_FAST_PATH=false sends everything there.
  const singleCall = env.TRPC_FAST_PATH
    ? createSingleCallHandler({
        router: appRouter,
        basePath: "/trpc/",
        maxBodySize: env.MAX_BODY_BYTES,
        createContext,
        responseMeta,
        onError: ({ error, path, type, requestId }) => logProcedureError(error, path, type, requestId),
      })
    : null;

  const readyz = createReadinessRoute(runtime, log);
  const uploads = runtime.localMedia ? createUploadRoutes({ storage: runtime.localMedia, db: runtime.services.db, log }) : null;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    req.headers["x-request-id"] = requestId;
    res.setHeader("x-request-id", requestId);
    setSecurityHeaders(res, production);
    const started = performance.now();
    inflight.add(res);
    trackRequest(req, res);
    res.on("close", () => {
      inflight.delete(res);
      // Draining: a keep-alive connection whose last response just ended has nothing left to do.
      if (shuttingDown) server.closeIdleConnections();
      // The access log's fields are only gathered when it is written (LOG_LEVEL info or finer).
      if (logRequests) {
        log.info(
          { reqId: requestId, method: req.method, url: req.url?.split("?")[0], status: res.statusCode, ms: Math.round(performance.now() - started) },
          "request",
        );
      }
    });

    if (handleCors(req, res, env.CORS_ORIGINS)) return;
    const path = req.url?.split("?")[0] ?? "/";
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path === "/readyz") return readyz(res, !ready ? "starting" : shuttingDown ? "shutting-down" : "serving");
    if (path === "/metrics") return metrics(req, res);
    if (path.startsWith(MEDIA_PREFIX)) return media(req, res);
    if (uploads && path.startsWith(UPLOADS_PREFIX)) {
      return shuttingDown ? sendJson(res, 503, { error: "Shutting down" }, { connection: "close" }) : uploads(req, res);
    }
    if (!path.startsWith("/trpc/")) return sendJson(res, 404, { error: "Not found" });
    if (shuttingDown) return sendJson(res, 503, { error: "Shutting down" }, { connection: "close" });

    const largeBody = path === LARGE_BODY_PATH;
    const limitBytes = largeBody ? env.MAX_CARD_BODY_BYTES : env.MAX_BODY_BYTES;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limitBytes) {
      // Refuse before reading a byte; tRPC's maxBodySize catches bodies without a length.
      return sendJson(res, 413, { error: "Payload too large", limitBytes }, { connection: "close" });
    }
    // Idle timeout per request: a handler that goes silent this long is cut off. SSE
    // streams stay alive through the keep-alive's pings, which are more frequent.
    req.setTimeout(env.REQUEST_TIMEOUT_MS, () => {
      log.warn({ reqId: requestId, path }, "request timed out");
      if (!res.headersSent) sendJson(res, 503, { error: "Request timed out" }, { connection: "close" });
      else res.destroy();
    });
    keepAlive.watch(req, res);
    if (largeBody) return trpcLargeBody(req, res);
    if (singleCall?.(req, res)) return;
    trpc(req, res);
  }

  const server = createServer({ requestTimeout: env.REQUEST_TIMEOUT_MS, headersTimeout: Math.min(env.REQUEST_TIMEOUT_MS, 20_000) }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Outside tRPC (uploads), an unreachable database is the same 503 as inside it.
      if (isDatabaseUnavailable(err)) {
        const retryAfter = String(Math.ceil(DATABASE_RETRY_AFTER_MS / 1000));
        return sendJson(res, 503, { error: "The database is unavailable; try again shortly" }, { "retry-after": retryAfter, connection: "close" });
      }
      log.error({ reqId: req.headers["x-request-id"], err }, "unhandled request error");
      sendJson(res, 500, { error: "Internal server error" });
    });
  });

  return {
    server,
    inflightCount: () => inflight.size,
    listen: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(env.PORT, env.HOST, () => {
          ready = true;
          resolve(server.address() as AddressInfo);
        });
      }),
    shutdown: async () => {
      if (shuttingDown) return;
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Subscriptions end with tRPC's clean `return` (clients resume elsewhere); chat
      // replies being written go on, and are cut just before the grace ends, each with its
      // `done` (the partial reply, saved), so no client is left with a reset socket.
      runtime.beginShutdown();
      const cut = setTimeout(() => runtime.services.chat.interrupt(), env.SHUTDOWN_GRACE_MS - interruptMarginMs(env.SHUTDOWN_GRACE_MS));
      cut.unref();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, env.SHUTDOWN_GRACE_MS).unref());
      await Promise.race([closed, deadline]);
      clearTimeout(cut);
      keepAlive.stop();
      server.closeAllConnections();
      await closed;
    },
  };
}
