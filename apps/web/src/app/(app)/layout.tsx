import type { ReactNode } from "react";
import { RequireSession } from "@/components/require-session";

/** Every screen in (app)/ needs a session: without one the visitor goes to /sign-in. */
export default function AppLayout({ children }: { children: ReactNode }) {
  return <RequireSession>{children}</RequireSession>;
}
