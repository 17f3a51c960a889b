/**
 * `GET /readyz`: the database down is 503; Redis or S3 down is 200 "degraded", as leaving rotation would
 * not help. Probes are bounded and their result shared for a second, so polling costs at most one probe
 * per dependency per second (README, "Health").
 */
import type { ServerResponse } from "node:http";
import type { Logger } from "pino";
import { sendJson } from "./http-utils.ts";
import type { Runtime } from "./services.ts";

export interface Dependency {
  name: string;
  /** A required dependency that is down makes the process not ready. */
  required: boolean;
  /** Resolves when the dependency answers; may use `signal`, which aborts at the timeout. */
  probe(signal: AbortSignal): Promise<void>;
}

interface DependencyReport {
  status: "up" | "down";
  required: boolean;
  latencyMs: number;
}

interface ReadinessReport {
  status: "ready" | "degraded" | "unavailable";
  dependencies: Record<string, DependencyReport>;
}

interface Probed {
  up: boolean;
  latencyMs: number;
  at: number;
}

/** Probes the dependencies (each bounded by `timeoutMs`, remembered for `cacheMs`) and sums them up. */
function createReadiness(dependencies: Dependency[], options: { log: Logger; timeoutMs?: number; cacheMs?: number }) {
  const timeoutMs = options.timeoutMs ?? 1000;
  const cacheMs = options.cacheMs ?? 1000;
  const last = new Map<string, Probed>();
  const pending = new Map<string, Promise<Probed>>();

  async function probe(dep: Dependency): Promise<Probed> {
    const controller = new AbortController();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    let error: unknown = null;
    try {
      await Promise.race([dep.probe(controller.signal), timedOut]);
    } catch (err) {
      error = err;
    } finally {
      clearTimeout(timer);
    }
    const result = { up: error === null, latencyMs: Math.round(performance.now() - started), at: Date.now() };
    const before = last.get(dep.name);
    if (before?.up !== result.up) {
      if (result.up) options.log.info({ dependency: dep.name }, "readiness: dependency is up");
      else options.log.warn({ err: error, dependency: dep.name, required: dep.required }, "readiness: dependency is down");
    }
    last.set(dep.name, result);
    return result;
  }

  function current(dep: Dependency): Promise<Probed> {
    const known = last.get(dep.name);
    if (known && Date.now() - known.at < cacheMs) return Promise.resolve(known);
    let inflight = pending.get(dep.name);
    if (!inflight) {
      inflight = probe(dep).finally(() => pending.delete(dep.name));
      pending.set(dep.name, inflight);
    }
    return inflight;
  }

  return {
    async check(): Promise<ReadinessReport> {
      const results = await Promise.all(dependencies.map(current));
      const report: ReadinessReport = { status: "ready", dependencies: {} };
      dependencies.forEach((dep, i) => {
        const r = results[i];
        if (!r) return;
        report.dependencies[dep.name] = { status: r.up ? "up" : "down", required: dep.required, latencyMs: r.latencyMs };
        if (!r.up) report.status = dep.required ? "unavailable" : report.status === "unavailable" ? "unavailable" : "degraded";
      });
      return report;
    },
  };
}

/** The dependencies this process is configured with. */
function runtimeDependencies(runtime: Runtime): Dependency[] {
  const deps: Dependency[] = [{ name: "database", required: true, probe: () => runtime.database.ping() }];
  const limits = runtime.services.rateLimits;
  if (limits.store === "redis") {
    // The client's own connection state: no round trip, and never a hang.
    deps.push({
      name: "redis",
      required: false,
      probe: async () => {
        if (limits.storeStatus() !== "ready") throw new Error("redis is not connected");
      },
    });
  }
  const bucket = runtime.s3Media;
  if (bucket) deps.push({ name: "s3", required: false, probe: (signal) => bucket.probe(signal) });
  return deps;
}

export type ServingPhase = "starting" | "serving" | "shutting-down";

/** The /readyz handler: 503 while starting or shutting down, else the dependencies' report. */
export function createReadinessRoute(runtime: Runtime, log: Logger) {
  const readiness = createReadiness(runtimeDependencies(runtime), { log });
  const noStore = { "cache-control": "no-store" };
  return async function readyz(res: ServerResponse, phase: ServingPhase): Promise<void> {
    if (phase !== "serving") return sendJson(res, 503, { status: phase }, noStore);
    const report = await readiness.check();
    if (report.status === "unavailable") return sendJson(res, 503, report, { ...noStore, "retry-after": "5" });
    sendJson(res, 200, report, noStore);
  };
}
