import type { Metadata } from "next";
import { Suspense } from "react";
import { SessionForm } from "@/components/auth/session-form";

export const metadata: Metadata = { title: "Sign in" };

export default function SignInPage() {
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <Suspense>
        <SessionForm mode="sign-in" />
      </Suspense>
    </section>
  );
}
