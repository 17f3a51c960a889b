import type { Metadata } from "next";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";

export const metadata: Metadata = { title: "Forgot password" };

export default function ForgotPasswordPage() {
  return (
    <section className="narrow">
      <h1>Forgot your password?</h1>
      <ForgotPasswordForm />
    </section>
  );
}
