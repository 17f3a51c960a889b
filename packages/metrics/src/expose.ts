/**
 * Renders the registry for a scrape. In a cluster a worker never answers from its own registry: it asks
 * the primary, which sums every worker's, so any worker and either port give the same totals (docs/metrics.md).
 */
import cluster from "node:cluster";
import { AggregatorRegistry, collectDefaultMetrics, register } from "prom-client";

const REQUEST = "companion:metrics-request";
const RESPONSE = "companion:metrics-response";
/** prom-client's own gathering times out at 5 s; past that the primary has answered with an error. */
const ASK_PRIMARY_TIMEOUT_MS = 10_000;

export const METRICS_CONTENT_TYPE = register.contentType;

let processMetricsOn = false;

/**
 * Process and Node.js metrics (CPU, memory, heap, GC, handles, event-loop lag) on the
 * default registry, once per process. In a cluster worker it also answers the primary's
 * requests for this process's metrics.
 */
export function collectProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics();
  // The constructor installs prom-client's IPC listener in a worker (and nothing else).
  if (cluster.isWorker) new AggregatorRegistry();
}

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(message: unknown, type: T["type"]): message is T =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;

/** In the cluster primary: answers the workers' scrapes with the sum of all workers' metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<MetricsRequest>(message, REQUEST)) return;
    const reply = (fields: Partial<MetricsResponse>) => {
      if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...fields } satisfies MetricsResponse);
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

const waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
let nextId = 0;
let listening = false;

function askPrimary(): Promise<string> {
  if (!listening) {
    listening = true;
    process.on("message", (message: unknown) => {
      if (!isMessage<MetricsResponse>(message, RESPONSE)) return;
      const entry = waiting.get(message.id);
      if (!entry) return;
      waiting.delete(message.id);
      clearTimeout(entry.timer);
      if (message.text !== undefined) entry.resolve(message.text);
      else entry.reject(new Error(`the cluster primary could not gather metrics: ${message.error ?? "no answer"}`));
    });
  }
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error("the cluster primary did not answer the metrics request"));
    }, ASK_PRIMARY_TIMEOUT_MS);
    waiting.set(id, { resolve, reject, timer });
    process.send?.({ type: REQUEST, id } satisfies MetricsRequest);
  });
}

/** The Prometheus text of this process, or of the whole cluster when this is a cluster worker. */
export function renderMetrics(): Promise<string> {
  return cluster.isWorker ? askPrimary() : register.metrics();
}
