/**
 * The application's Prometheus metrics (prom-client's default registry): named metrics that
 * domain code counts with, the process metrics, and the rendering for a scrape, clusters
 * included. docs/metrics.md lists every metric.
 */
export {
  dbPoolSize,
  dbTransactionDuration,
  dbTransactionsInFlight,
  httpRequestDuration,
  httpRequests,
  jobDuration,
  jobLastSuccess,
  jobRuns,
  jobsEnqueued,
  jobQueueDepth,
  jobWait,
  reactions,
  realtimeEventsDelivered,
  realtimeSubscriptionsOpen,
  storiesCreated,
  storiesExpired,
  storyViews,
  trpcSubscriptionsOpen,
} from "./definitions.ts";
export { observeAiCall, trackBreakers } from "./ai.ts";
export { collectProcessMetrics, serveClusterMetrics } from "./expose.ts";
export { sendMetrics, startMetricsServer, type MetricsServer } from "./server.ts";
