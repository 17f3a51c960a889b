"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";

/** A file's bytes as base64, without a data-URL prefix (companions.importCard's `dataBase64`). */
async function toBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Import a Character Card V2/V3 (docs/character-cards.md) from a .png or .json file; the new
 * companion is private and opens in its edit screen. A bad card is a BAD_REQUEST naming the field.
 */
export function ImportCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const id = useId();
  const [readError, setReadError] = useState<string | null>(null);
  const importCard = useMutation(
    trpc.companions.importCard.mutationOptions({
      onSuccess: (companion) => {
        void queryClient.invalidateQueries({ queryKey: trpc.companions.pathKey() });
        router.push(`/companions/${companion.id}/edit`);
      },
    }),
  );

  const onFile = async (file: File | undefined) => {
    setReadError(null);
    if (!file) return;
    try {
      if (file.type === "image/png" || file.name.toLowerCase().endsWith(".png")) importCard.mutate({ format: "png", dataBase64: await toBase64(file) });
      else importCard.mutate({ format: "json", card: await file.text() });
    } catch {
      setReadError("That file could not be read.");
    }
  };

  return (
    <div className="field">
      <label htmlFor={id}>Import a Character Card (.png or .json)</label>
      <input id={id} type="file" accept="image/png,application/json,.json,.png" disabled={importCard.isPending} onChange={(e) => void onFile(e.target.files?.[0])} />
      {importCard.isPending ? <p role="status">Importing…</p> : null}
      {readError ? (
        <p role="alert" className="error">
          {readError}
        </p>
      ) : null}
      <ErrorMessage error={importCard.error} />
    </div>
  );
}
