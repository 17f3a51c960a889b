import type { ReactNode } from "react";

/** A snippet with its matched words in <mark>: `highlights` are UTF-16 offsets into plain text (never markup). */
export function Highlighted({ text, highlights }: { text: string; highlights: { start: number; end: number }[] }) {
  const parts: ReactNode[] = [];
  let at = 0;
  for (const { start, end } of [...highlights].sort((a, b) => a.start - b.start)) {
    if (start < at || end > text.length) continue;
    if (start > at) parts.push(text.slice(at, start));
    parts.push(<mark key={start}>{text.slice(start, end)}</mark>);
    at = end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}
