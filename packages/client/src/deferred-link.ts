import { TRPCClientError, type OperationLink, type TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import type { AppRouter } from "./router.ts";

/**
 * A link made on its first operation, from a promise: for the subscription link's default
 * EventSource, the `eventsource` package, whose module subclasses `EventTarget` when it loads.
 * React Native has no EventTarget, so an app that brings its own EventSource must never load it.
 */
export function deferredLink(make: () => Promise<TRPCLink<AppRouter>>): TRPCLink<AppRouter> {
  return (runtime) => {
    let operationLink: Promise<OperationLink<AppRouter>> | undefined;
    return ({ op, next }) =>
      observable((observer) => {
        let sub: Unsubscribable | undefined;
        let closed = false;
        operationLink ??= make().then((link) => link(runtime));
        operationLink.then(
          (link) => {
            if (!closed) sub = link({ op, next }).subscribe(observer);
          },
          (err: unknown) => observer.error(TRPCClientError.from(err instanceof Error ? err : new Error(String(err)))),
        );
        return () => {
          closed = true;
          sub?.unsubscribe();
        };
      });
  };
}
