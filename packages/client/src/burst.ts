/**
 * Which link a call takes. tRPC's batch links wait for a timer and decode a stream, about 2 ms a call
 * (README "Benchmarks"), so the first call of a burst (one synchronous run of code) leaves alone and
 * the rest are batched; sequential awaited calls are each alone.
 */
export function firstOfBurst(): () => boolean {
  let open = false;
  return () => {
    if (open) return false;
    open = true;
    queueMicrotask(() => {
      open = false;
    });
    return true;
  };
}
