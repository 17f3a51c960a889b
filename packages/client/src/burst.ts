/**
 * Which link a query or mutation takes. tRPC's batch links wait for a timer
 * (`setTimeout(0)`, at least 1 ms on Node) to collect a batch, and the streamed batch
 * response is decoded through web streams: about 2 ms per call in all (measured in
 * `pnpm bench`, README "Benchmarks"). A call made alone pays that for nothing.
 *
 * So the first call of a burst leaves at once, unbatched; the calls after it in the same
 * burst are batched together. A burst is the calls made in one synchronous run of code,
 * before any awaited result: `Promise.all([...])`, or a screen starting its queries in one
 * render. A burst of n calls costs two requests instead of one, and the first answer is
 * not held back by the slowest of the others. The burst ends at the next microtask, so
 * sequential calls (`await a(); await b();`) are each alone, whatever else runs between.
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
