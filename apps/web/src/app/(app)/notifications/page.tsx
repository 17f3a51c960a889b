import type { Metadata } from "next";

export const metadata: Metadata = { title: "Notifications" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function NotificationsPage() {
  return (
    <section>
      <h1>Notifications</h1>
      <p>Coming soon.</p>
    </section>
  );
}
