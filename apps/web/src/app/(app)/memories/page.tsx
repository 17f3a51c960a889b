import type { Metadata } from "next";

export const metadata: Metadata = { title: "Memories" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function MemoriesPage() {
  return (
    <section>
      <h1>Memories</h1>
      <p>Coming soon.</p>
    </section>
  );
}
