import { Redis } from "ioredis";

export interface RedisClientOptions {
  /** Give up on a TCP connect after this long (default 1000 ms). */
  connectTimeoutMs?: number;
  /** Reject a command that has had no answer after this long (default 500 ms). */
  commandTimeoutMs?: number;
  /** Connection errors; called at most once per failure streak (a dead Redis retries forever). */
  onError?: (err: Error) => void;
  /** Called when the connection is (re)established after a failure. */
  onReady?: () => void;
}

/**
 * A Redis client that fails fast while Redis is away (no offline queue, a short command timeout), so a
 * request pays milliseconds before the in-memory insurance takes over; it reconnects in the background.
 */
export function createRedisClient(url: string, options: RedisClientOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? 1000,
    commandTimeout: options.commandTimeoutMs ?? 500,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    // Rate-limit keys are tiny and hot; a slow ready check only delays the switch back.
    enableReadyCheck: true,
  });
  let failing = false;
  // Without an 'error' listener ioredis prints every reconnect failure; report one per streak.
  client.on("error", (err: Error) => {
    if (failing) return;
    failing = true;
    options.onError?.(err);
  });
  client.on("ready", () => {
    if (!failing) return;
    failing = false;
    options.onReady?.();
  });
  return client;
}

/** Quits politely when connected, else drops the socket and stops reconnecting. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // Fall through: the connection went away while quitting.
    }
  }
  client.disconnect(false);
}
