import type { RouterOutputs } from "@companion/client";

type Day = RouterOutputs["insights"]["moodHistory"]["days"][number];

/** Moods from best to worst: the chart's y axis, top to bottom. */
const MOODS = ["joyful", "excited", "content", "neutral", "lonely", "distant"] as const;

const WIDTH = 640;
const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 64 };

/**
 * The companion's mood per day as a line drawn in SVG (no chart library): one point per
 * recorded day, the line broken where a day has no record. The SVG is decorative for screen
 * readers (aria-hidden); the same data is in the table below it.
 */
export function MoodChart({ days, companionName }: { days: Day[]; companionName: string }) {
  const recorded = days.filter((d) => d.mood !== null);
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (days.length <= 1 ? innerW / 2 : (i / (days.length - 1)) * innerW);
  const y = (mood: Day["mood"]) => PAD.top + (MOODS.indexOf(mood ?? "neutral") / (MOODS.length - 1)) * innerH;

  // Segments of consecutive recorded days, so a gap shows as a gap.
  const segments: string[] = [];
  let current: string[] = [];
  days.forEach((d, i) => {
    if (d.mood === null) {
      if (current.length > 0) segments.push(current.join(" "));
      current = [];
      return;
    }
    current.push(`${current.length === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(d.mood).toFixed(1)}`);
  });
  if (current.length > 0) segments.push(current.join(" "));

  return (
    <figure className="stack-sm chart">
      <figcaption>
        {companionName}&apos;s mood, {days[0]?.date} to {days.at(-1)?.date}
      </figcaption>
      {recorded.length === 0 ? (
        <p>No mood recorded in these days yet: talk with {companionName} and come back.</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="chart__svg" aria-hidden="true" focusable="false">
            {MOODS.map((m) => (
              <g key={m}>
                <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(m)} y2={y(m)} className="chart__grid" />
                <text x={PAD.left - 8} y={y(m) + 4} textAnchor="end" className="chart__label">
                  {m}
                </text>
              </g>
            ))}
            <text x={PAD.left} y={HEIGHT - 8} className="chart__label">
              {days[0]?.date}
            </text>
            <text x={WIDTH - PAD.right} y={HEIGHT - 8} textAnchor="end" className="chart__label">
              {days.at(-1)?.date}
            </text>
            {segments.map((d) => (
              <path key={d} d={d} className="chart__line" />
            ))}
            {days.map((d, i) => (d.mood === null ? null : <circle key={d.date} cx={x(i)} cy={y(d.mood)} r={3.5} className="chart__point" />))}
          </svg>
          <details>
            <summary>Mood by day, as a table</summary>
            <table className="table">
              <caption className="visually-hidden">{companionName}&apos;s mood and scores by day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  <th scope="col">Mood</th>
                  <th scope="col">Affection</th>
                  <th scope="col">Trust</th>
                  <th scope="col">Energy</th>
                </tr>
              </thead>
              <tbody>
                {recorded.map((d) => (
                  <tr key={d.date}>
                    <th scope="row">{d.date}</th>
                    <td>{d.mood}</td>
                    <td>{d.affection ?? "–"}</td>
                    <td>{d.trust ?? "–"}</td>
                    <td>{d.energy ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
