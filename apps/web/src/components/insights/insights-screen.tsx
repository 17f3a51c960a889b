"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useMyCompanions } from "@/components/companions/use-my-companions";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { DigestsList } from "./digests-list";
import { MoodChart } from "./mood-chart";
import { OverviewFigures } from "./overview-figures";
import { UsageMeters } from "./usage-meters";

const DAYS = 30;
const day = (at: Date) => at.toISOString().slice(0, 10);

/** One relationship's last 30 UTC days (mood chart, figures), then my digests and today's usage. */
export function InsightsScreen() {
  const trpc = useTRPC();
  const my = useMyCompanions();
  const [picked, setPicked] = useState("");
  const companionId = picked || (my.companions[0]?.id ?? "");
  const companionName = my.companions.find((c) => c.id === companionId)?.name ?? "";
  const to = new Date();
  const from = new Date(to.getTime() - (DAYS - 1) * 86_400_000);
  const range = { companionId, from: day(from), to: day(to) };
  const enabled = companionId !== "";
  const history = useQuery({ ...trpc.insights.moodHistory.queryOptions(range), enabled });
  const overview = useQuery({ ...trpc.insights.overview.queryOptions({ companionId, days: DAYS }), enabled });

  return (
    <section className="stack">
      <h1>Insights</h1>
      {my.isPending ? <p role="status">Loading…</p> : null}
      <ErrorMessage error={my.error} />
      {my.isSuccess && my.companions.length === 0 ? (
        <p>
          No insights yet: <Link href="/companions">connect with a companion</Link> and talk for a while.
        </p>
      ) : null}
      {enabled ? (
        <section aria-labelledby="relationship" className="stack">
          <h2 id="relationship">Your last {DAYS} days with {companionName}</h2>
          {my.companions.length > 1 ? (
            <div className="field">
              <label htmlFor="insights-companion">Companion</label>
              <select id="insights-companion" value={companionId} onChange={(e) => setPicked(e.target.value)}>
                {my.companions.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {history.isPending ? <p role="status">Loading mood…</p> : null}
          <ErrorMessage error={history.error} />
          {history.data ? <MoodChart days={history.data.days} companionName={companionName} /> : null}
          <ErrorMessage error={overview.error} />
          {overview.data ? <OverviewFigures overview={overview.data} /> : null}
        </section>
      ) : null}
      <DigestsList />
      <UsageMeters />
    </section>
  );
}
