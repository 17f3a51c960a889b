"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/lib/trpc";

/** Hands a Blob to the browser as a download. */
function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Export my companion as a V3 Character Card, JSON or PNG (companions.exportCard), as a download. */
export function ExportCard({ companionId, name }: { companionId: string; name: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);

  const exportAs = async (format: "json" | "png") => {
    setError(null);
    try {
      const res = await queryClient.fetchQuery({ ...trpc.companions.exportCard.queryOptions({ companionId, format }), staleTime: 0 });
      if (res.format === "json") download(new Blob([JSON.stringify(res.card, null, 2)], { type: "application/json" }), `${name}.json`);
      else download(new Blob([Uint8Array.from(atob(res.dataBase64), (c) => c.charCodeAt(0))], { type: res.contentType }), res.filename);
    } catch (err) {
      setError(err instanceof Error ? err.message : "The export failed.");
    }
  };

  return (
    <>
      <button type="button" className="link-button small" onClick={() => void exportAs("json")}>
        Export {name} as JSON card
      </button>
      <button type="button" className="link-button small" onClick={() => void exportAs("png")}>
        Export {name} as PNG card
      </button>
      {error ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : null}
    </>
  );
}
