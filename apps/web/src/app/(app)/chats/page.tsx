import type { Metadata } from "next";

export const metadata: Metadata = { title: "Chats" };

/** Placeholder: this screen is still to be built (see apps/web/README.md for the conventions). */
export default function ChatsPage() {
  return (
    <section>
      <h1>Chats</h1>
      <p>Coming soon.</p>
    </section>
  );
}
