import type { Metadata } from "next";

export const metadata: Metadata = { title: "Insights" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function InsightsPage() {
  return (
    <section>
      <h1>Insights</h1>
      <p>Coming soon.</p>
    </section>
  );
}
