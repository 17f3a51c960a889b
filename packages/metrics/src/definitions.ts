/**
 * Every metric, defined once on prom-client's default registry (docs/metrics.md lists them). Label
 * values come from small fixed sets, never ids, URLs or user input: each new value is a new series.
 */
import { Counter, Gauge, Histogram, register, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from "prom-client";

// A module evaluated twice in one process (vitest runs each project's global setup in a
// module graph of its own) finds its metrics already on the default registry: reuse them.
export function counter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
  return (register.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter(config);
}
export function gauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T> {
  return (register.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge(config);
}
export function histogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
  return (register.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram(config);
}

/** Seconds, for request-sized durations: a hot path takes a few milliseconds. */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds, for model calls and jobs: up to a minute. */
const SLOW_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

// --- HTTP (apps/server)

export const httpRequests = counter({
  name: "http_requests_total",
  help: "HTTP requests by route (tRPC procedure path, or /healthz, /readyz, /metrics, /media, /uploads, other), method and status code; a batch counts each procedure",
  labelNames: ["route", "method", "code"] as const,
});

export const httpRequestDuration = histogram({
  name: "http_request_duration_seconds",
  help: "Time from the request's arrival to the end of its response, by route; a subscription's is the stream's lifetime",
  labelNames: ["route"] as const,
  buckets: REQUEST_BUCKETS,
});

export const trpcSubscriptionsOpen = gauge({
  name: "trpc_subscriptions_open",
  help: "Open tRPC subscription streams (SSE) by procedure",
  labelNames: ["route"] as const,
});

// --- Business (packages/api, apps/worker)

export const storiesCreated = counter({ name: "stories_created_total", help: "Stories posted by users (stories.create)" });
export const storyViews = counter({ name: "story_views_total", help: "Stories marked viewed (stories.markViewed; a repeat view counts again)" });
export const reactions = counter({ name: "reactions_total", help: "Reactions set on story slides (stories.react)" });
export const storiesExpired = counter({ name: "stories_expired_total", help: "Stories soft-deleted by the expiry job once past their expiry" });

// --- Realtime (packages/api/src/realtime)

export const realtimeSubscriptionsOpen = gauge({
  name: "realtime_subscriptions_open",
  help: "Subscriptions registered with this process's event hub (events.subscribe streams)",
});

export const realtimeEventsDelivered = counter({
  name: "realtime_events_delivered_total",
  help: "Events handed to subscription streams (replayed and live)",
});

// --- Background jobs (apps/worker, or in-process on the embedded database)

// `task`, not `job`: Prometheus gives every scraped series a `job` label of its own.
export const jobRuns = counter({
  name: "jobs_runs_total",
  help: "Background job runs by task (queue) and outcome: ok, retry (failed, will run again), dead (failed for good: dead-letter queue)",
  labelNames: ["task", "outcome"] as const,
});

export const jobDuration = histogram({
  name: "jobs_duration_seconds",
  help: "Duration of background job runs, failed ones included",
  labelNames: ["task"] as const,
  buckets: SLOW_BUCKETS,
});

export const jobLastSuccess = gauge({
  name: "jobs_last_success_timestamp_seconds",
  help: "Unix time of the last successful run of each task",
  labelNames: ["task"] as const,
  aggregator: "max",
});

export const jobsEnqueued = counter({
  name: "jobs_enqueued_total",
  help: "Jobs sent to a queue by this process, by task (queue)",
  labelNames: ["task"] as const,
});

/** Set on each scrape from the queue's own counts (packages/jobs registers the collector). */
export const jobQueueDepth = gauge({
  name: "jobs_queue_depth",
  help: "Jobs per queue and state: ready (waiting to run), deferred (retry or scheduled later), active, failed (retained); the dead-letter queue's ready count is its backlog",
  labelNames: ["task", "state"] as const,
});

/** Time from a job becoming runnable to its run starting. */
export const jobWait = histogram({
  name: "jobs_wait_seconds",
  help: "Time a job waited from being created (or retried) to its run starting",
  labelNames: ["task"] as const,
  buckets: SLOW_BUCKETS,
});

// --- Database (packages/db)

export const dbPoolSize = gauge({
  name: "db_pool_size",
  help: "Configured connections of the open database handles, by kind (postgres: DB_POOL_SIZE; pglite: 1, in process)",
  labelNames: ["kind"] as const,
});

export const dbTransactionsInFlight = gauge({
  name: "db_transactions_in_flight",
  help: "User-scoped transactions (withUser) started and not yet finished, waiting for a connection included",
});

export const dbTransactionDuration = histogram({
  name: "db_transaction_duration_seconds",
  help: "Duration of user-scoped transactions (withUser), waiting for a connection included",
  buckets: REQUEST_BUCKETS,
});
