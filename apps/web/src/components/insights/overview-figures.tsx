import type { RouterOutputs } from "@companion/client";

type Overview = RouterOutputs["insights"]["overview"];

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/** The headline numbers of one relationship over the range: streaks, messages, memories, score change, top reactions. */
export function OverviewFigures({ overview }: { overview: Overview }) {
  const sent = overview.messagesPerDay.reduce((sum, d) => sum + d.user, 0);
  const received = overview.messagesPerDay.reduce((sum, d) => sum + d.assistant, 0);
  const change = overview.scoreTrend.change;
  return (
    <dl className="figures">
      <div>
        <dt>Current streak</dt>
        <dd>{overview.streaks.current} days</dd>
      </div>
      <div>
        <dt>Longest streak</dt>
        <dd>{overview.streaks.longest} days</dd>
      </div>
      <div>
        <dt>Messages sent / received</dt>
        <dd>
          {sent} / {received}
        </dd>
      </div>
      <div>
        <dt>Memories</dt>
        <dd>{overview.memoryCount}</dd>
      </div>
      {change ? (
        <div>
          <dt>Affection, trust, energy change</dt>
          <dd>
            {signed(change.affection)}, {signed(change.trust)}, {signed(change.energy)}
          </dd>
        </div>
      ) : null}
      {overview.topReactions.length > 0 ? (
        <div>
          <dt>Your top reactions</dt>
          <dd>{overview.topReactions.map((r) => `${r.emoji} ×${r.count}`).join("  ")}</dd>
        </div>
      ) : null}
    </dl>
  );
}
