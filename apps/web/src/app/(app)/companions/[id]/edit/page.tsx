"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useParams, useRouter } from "next/navigation";
import { CompanionForm } from "@/components/companions/companion-form";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** Edit my companion (companions.own to read every field, companions.update to save). */
export default function EditCompanionPage() {
  const { id } = useParams<{ id: string }>();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const own = useQuery(trpc.companions.own.queryOptions({ companionId: id }));
  const update = useMutation(trpc.companions.update.mutationOptions());

  return (
    <section className="stack narrow">
      <p>
        <Link href="/companions/mine">← My companions</Link>
      </p>
      <h1>{own.data ? `Edit ${own.data.name}` : "Edit companion"}</h1>
      {own.isPending ? <p role="status">Loading…</p> : null}
      <ErrorMessage error={own.error} />
      {own.data ? (
        <CompanionForm
          initial={own.data}
          submitLabel="Save changes"
          onSave={async (definition) => {
            await update.mutateAsync({ companionId: id, ...definition });
            await queryClient.invalidateQueries({ queryKey: trpc.companions.pathKey() });
            router.push("/companions/mine");
          }}
        />
      ) : null}
    </section>
  );
}
