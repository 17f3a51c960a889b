import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Headers for a JSON API: no sniffing, no framing, no referrer, nothing loadable as a page. */
export function setSecurityHeaders(res: ServerResponse, production: boolean): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.setHeader("Cross-Origin-Resource-Policy", "same-site");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  if (production) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

const CORS_ALLOW_HEADERS = "authorization, content-type, trpc-accept, x-request-id, last-event-id";

/**
 * CORS from an allowlist. Returns true when the request was a preflight and is answered.
 * A disallowed origin gets no CORS headers, so the browser blocks it.
 */
export function handleCors(req: IncomingMessage, res: ServerResponse, allowlist: readonly string[]): boolean {
  const origin = req.headers.origin;
  const allowed = origin !== undefined && (allowlist.includes(origin) || allowlist.includes("*"));
  if (allowed) {
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Vary", "Origin");
    res.setHeader("Access-Control-Expose-Headers", "x-request-id, retry-after");
  }
  if (req.method !== "OPTIONS") return false;
  if (allowed) {
    // PUT: browsers upload media to /uploads/ (content-type is in the allowed headers).
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, OPTIONS");
    res.setHeader("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    res.setHeader("Access-Control-Max-Age", "600");
  }
  res.statusCode = allowed ? 204 : 403;
  res.end();
  return true;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Reuses a well-formed incoming x-request-id (from a proxy), else makes one. */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers["x-request-id"];
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * The client address. X-Forwarded-For is only believed for the configured number of
 * trusted proxy hops, counted from the right; otherwise anyone could pick their own IP
 * and dodge the per-IP login throttle.
 */
export function clientIp(req: IncomingMessage, trustedHops: number): string | null {
  const socketIp = req.socket.remoteAddress ?? null;
  if (trustedHops === 0) return socketIp;
  const header = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(header) ? header.join(",") : (header ?? "")).split(",").map((s) => s.trim()).filter(Boolean);
  return chain[chain.length - trustedHops] ?? chain[0] ?? socketIp;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}
