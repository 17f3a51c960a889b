"use client";
import { errorCode } from "@companion/client";

/** A failed query or mutation, said plainly, in an alert region. */
export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const message = errorCode(error) === "NOT_FOUND" ? "Not found." : error instanceof Error ? error.message : "Something went wrong.";
  return (
    <p role="alert" className="error">
      {message}
    </p>
  );
}
