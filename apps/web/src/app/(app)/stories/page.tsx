import type { Metadata } from "next";

export const metadata: Metadata = { title: "Stories" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function StoriesPage() {
  return (
    <section>
      <h1>Stories</h1>
      <p>Coming soon.</p>
    </section>
  );
}
