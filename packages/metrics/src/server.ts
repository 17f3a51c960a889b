/**
 * Serving a scrape: the response for a `/metrics` request, and the listener of its own that
 * METRICS_PORT (server) and WORKER_METRICS_PORT (apps/worker) start for an internal scrape.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./expose.ts";

/** Writes the Prometheus text; 503 when it cannot be gathered (a cluster primary that does not answer). */
export async function sendMetrics(req: IncomingMessage, res: ServerResponse, onError?: (err: unknown) => void): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("Method not allowed\n");
    return;
  }
  let text: string;
  try {
    text = await renderMetrics();
  } catch (err) {
    onError?.(err);
    if (!res.headersSent) res.writeHead(503, { "content-type": "text/plain", "retry-after": "5" }).end("Metrics unavailable\n");
    return;
  }
  res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : text);
}

export interface MetricsServer {
  /** `http://host:port`, the scrape address without the path. */
  url: string;
  close(): Promise<void>;
}

/**
 * A listener that serves GET /metrics without a token and nothing else: bind it to an
 * address only the scraper reaches (its default host is 127.0.0.1).
 */
export function startMetricsServer(options: { host: string; port: number; onError?: (err: unknown) => void }): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    if (req.url?.split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
      return;
    }
    void sendMetrics(req, res, options.onError);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const { address, port } = server.address() as AddressInfo;
      resolve({
        url: `http://${address.includes(":") ? `[${address}]` : address}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
