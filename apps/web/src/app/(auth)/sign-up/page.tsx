import type { Metadata } from "next";
import { Suspense } from "react";
import { SessionForm } from "@/components/auth/session-form";

export const metadata: Metadata = { title: "Sign up" };

export default function SignUpPage() {
  return (
    <section className="narrow">
      <h1>Create an account</h1>
      <Suspense>
        <SessionForm mode="sign-up" />
      </Suspense>
    </section>
  );
}
