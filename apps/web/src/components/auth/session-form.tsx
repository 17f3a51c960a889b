"use client";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useState, type FormEvent, type ReactNode } from "react";
import { Field } from "@/components/field";
import { SessionError, useSession } from "@/lib/session";

type Mode = "sign-in" | "sign-up";

/** Only a path on this site: `?next=https://evil.example` must not become an open redirect. */
const safeNext = (next: string | null) => (next?.startsWith("/") && !next.startsWith("//") ? next : "/companions");

/** The sign-in and sign-up form: field errors from the server under each field, other errors above. */
export function SessionForm({ mode }: { mode: Mode }) {
  const session = useSession();
  const router = useRouter();
  const params = useSearchParams();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<SessionError | null>(null);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => {
      const v = data.get(name);
      return typeof v === "string" ? v : "";
    };
    setPending(true);
    setError(null);
    try {
      if (mode === "sign-up") await session.signUp({ email: value("email"), password: value("password"), displayName: value("displayName") });
      else await session.signIn({ email: value("email"), password: value("password") });
      router.push(safeNext(params.get("next")));
    } catch (err) {
      setError(err instanceof SessionError ? err : new SessionError("UNKNOWN", "Something went wrong; try again.", {}));
      setPending(false);
    }
  };

  const fieldErrors = error?.fieldErrors ?? {};
  const hasFieldErrors = Object.values(fieldErrors).some((e) => e && e.length > 0);
  let switcher: ReactNode;
  if (mode === "sign-up") switcher = <p>Have an account? <Link href="/sign-in">Sign in</Link></p>;
  else
    switcher = (
      <>
        <p>New here? <Link href="/sign-up">Create an account</Link></p>
        <p><Link href="/forgot-password">Forgot your password?</Link></p>
      </>
    );

  return (
    <form className="stack form" onSubmit={(e) => void onSubmit(e)} noValidate>
      {error && !hasFieldErrors ? (
        <p role="alert" className="error">
          {error.code === "UNAUTHORIZED" ? "Wrong email or password." : error.message}
        </p>
      ) : null}
      {mode === "sign-up" ? (
        <Field label="Display name" name="displayName" autoComplete="nickname" required maxLength={80} errors={fieldErrors.displayName} />
      ) : null}
      <Field label="Email" name="email" type="email" autoComplete="email" required errors={fieldErrors.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={mode === "sign-up" ? "new-password" : "current-password"}
        required
        minLength={mode === "sign-up" ? 8 : 1}
        errors={fieldErrors.password}
      />
      <button type="submit" className="button" disabled={pending}>
        {mode === "sign-up" ? "Create account" : "Sign in"}
      </button>
      {switcher}
    </form>
  );
}
