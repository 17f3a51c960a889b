"use client";
import Link from "next/link";
import { useEffect, useState } from "react";

/** The link a friend opens to follow me: the app has no user search, so a link is the way in. */
export function MyProfileLink({ userId }: { userId: string }) {
  const path = `/people/${userId}`;
  // The origin is known only in the browser; the server renders the path alone.
  const [origin, setOrigin] = useState("");
  useEffect(() => setOrigin(window.location.origin), []);
  return (
    <section className="card stack-sm" aria-labelledby="my-profile-link">
      <h2 id="my-profile-link">My profile link</h2>
      <p className="muted">There is no search for people: send this link to a friend so they can follow you and see your stories.</p>
      <p>
        <Link href={path} className="break">
          {origin}
          {path}
        </Link>
      </p>
    </section>
  );
}
