import type { Metadata } from "next";
import Link from "next/link";
import { NewStoryForm } from "@/components/stories/new-story-form";

export const metadata: Metadata = { title: "New story" };

/** Post my own story (24 hours) from a picture or video of this device. */
export default function NewStoryPage() {
  return (
    <section className="stack">
      <p>
        <Link href="/stories">← Stories</Link>
      </p>
      <h1>New story</h1>
      <NewStoryForm />
    </section>
  );
}
