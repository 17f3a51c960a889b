"use client";
import { useRouter } from "next/navigation";
import { useEffect, type ReactNode } from "react";
import { useSession } from "@/lib/session";

/** Renders its children only with a session; without one it sends the visitor to /sign-in (and back after). */
export function RequireSession({ children }: { children: ReactNode }) {
  const { status } = useSession();
  const router = useRouter();

  useEffect(() => {
    if (status !== "signed-out") return;
    const next = window.location.pathname + window.location.search;
    router.replace(`/sign-in?next=${encodeURIComponent(next)}`);
  }, [status, router]);

  if (status !== "signed-in") return <p role="status">Loading…</p>;
  return children;
}
