import type { Metadata } from "next";

export const metadata: Metadata = { title: "Account" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function AccountPage() {
  return (
    <section>
      <h1>Account</h1>
      <p>Coming soon.</p>
    </section>
  );
}
