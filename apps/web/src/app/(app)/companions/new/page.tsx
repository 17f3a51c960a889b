"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { CompanionForm } from "@/components/companions/companion-form";
import { useTRPC } from "@/lib/trpc";

/** Create a companion of my own (companions.create); its profile opens once it exists. */
export default function NewCompanionPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const create = useMutation(trpc.companions.create.mutationOptions());

  return (
    <section className="stack narrow">
      <p>
        <Link href="/companions/mine">← My companions</Link>
      </p>
      <h1>Create a companion</h1>
      <CompanionForm
        submitLabel="Create companion"
        onSave={async (definition) => {
          const created = await create.mutateAsync(definition);
          await queryClient.invalidateQueries({ queryKey: trpc.companions.pathKey() });
          router.push(`/companions/${created.id}`);
        }}
      />
    </section>
  );
}
