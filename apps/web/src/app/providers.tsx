"use client";
import type { ReactNode } from "react";
import { SessionProvider } from "@/lib/session";
import { TRPCReactProvider } from "@/lib/trpc";

/** Everything client-side the app needs, in order: the session first, then the API client that uses it. */
export function Providers({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <TRPCReactProvider>{children}</TRPCReactProvider>
    </SessionProvider>
  );
}
