/**
 * Which link a query or mutation takes. tRPC's batch links wait for a timer
 * (`setTimeout(0)`, at least 1 ms on Node) to collect a batch, and the streamed batch
 * response is decoded through web streams: about 2 ms per call in all (measured in
 * `pnpm bench`: docs/performance.md). A call made alone pays that for nothing.
 *
 * So the first call of a burst (the calls issued within one turn of the event loop, as a
 * screen mounting its queries does) leaves at once, unbatched; the calls after it in the
 * same turn are batched together. A burst of n calls costs two requests instead of one,
 * and the first answer is not held back by the slowest of the others.
 */
const nextTurn: (fn: () => void) => void =
  typeof setImmediate === "function" ? (fn) => void setImmediate(fn) : (fn) => void setTimeout(fn, 0);

/** Returns a predicate that is true for the first call of each burst, false for the rest of it. */
export function firstOfBurst(schedule: (fn: () => void) => void = nextTurn): () => boolean {
  let open = false;
  return () => {
    if (open) return false;
    open = true;
    schedule(() => {
      open = false;
    });
    return true;
  };
}
