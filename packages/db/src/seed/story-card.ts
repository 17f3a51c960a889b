/**
 * The story image card: a gradient, the companion's name, a title and a line under it, and
 * a story viewer's progress bars. Pure and deterministic; the demo media (demo-media.ts) and
 * the companions' scheduled and drafted stories (docs/stories.md) are both rendered by it.
 * Every text is XML-escaped: captions and slide texts may come from a model or a person.
 */

export const STORY_CARD_WIDTH = 1080;
export const STORY_CARD_HEIGHT = 1920;

/** Gradients a generated card picks from by index (story_drafts.slides[].palette). */
export const STORY_CARD_PALETTES: readonly (readonly [string, string])[] = [
  ["#0b1d51", "#5b3a9b"],
  ["#ff7e5f", "#feb47b"],
  ["#134e5e", "#71b280"],
  ["#5d4157", "#a8caba"],
  ["#0f2027", "#2c5364"],
  ["#d66d75", "#e29587"],
  ["#614385", "#516395"],
  ["#f12711", "#f5af19"],
  ["#1d4350", "#a43931"],
  ["#3a6073", "#16222a"],
];

const FONT = "font-family=\"Helvetica, Arial, sans-serif\"";

/** Also drops characters XML 1.0 forbids (controls but tab and newlines), which would make the SVG unreadable. */
export const escapeXml = (s: string) =>
  // eslint-disable-next-line no-control-regex
  s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Greedy word wrap; SVG text does not wrap by itself. */
function wrap(text: string, maxChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > maxChars) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export const svgGradient = (id: string, [from, to]: readonly [string, string]) =>
  `<linearGradient id="${id}" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient>`;

export interface StoryCard {
  companionName: string;
  title: string;
  text: string;
  colors: readonly [string, string];
  /** This card's place among the story's `count` cards (0-based). */
  index: number;
  count: number;
}

export function renderStoryCardSvg(p: StoryCard): string {
  const W = STORY_CARD_WIDTH;
  const H = STORY_CARD_HEIGHT;
  const title = wrap(p.title, 16);
  const text = wrap(p.text, 28);
  const titleTop = H / 2 - (title.length * 120) / 2;
  const textTop = titleTop + title.length * 120 + 60;
  const tspans = (lines: string[], top: number, step: number) =>
    lines.map((l, i) => `<tspan x="${W / 2}" y="${top + i * step}">${escapeXml(l)}</tspan>`).join("");
  // Progress bars like a story viewer's, one per slide, the current one filled.
  const barWidth = Math.floor((W - 80 - (p.count - 1) * 12) / p.count);
  const bars = Array.from({ length: p.count }, (_, i) => {
    const x = 40 + i * (barWidth + 12);
    return `<rect x="${x}" y="40" width="${barWidth}" height="8" rx="4" fill="#fff" fill-opacity="${i <= p.index ? 0.95 : 0.35}"/>`;
  }).join("");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<defs>${svgGradient("bg", p.colors)}</defs>`,
    `<rect width="${W}" height="${H}" fill="url(#bg)"/>`,
    `<circle cx="${W * 0.85}" cy="${H * 0.2}" r="260" fill="#fff" fill-opacity="0.08"/>`,
    `<circle cx="${W * 0.1}" cy="${H * 0.85}" r="340" fill="#fff" fill-opacity="0.06"/>`,
    bars,
    `<circle cx="100" cy="130" r="40" fill="#fff" fill-opacity="0.9"/>`,
    `<text x="100" y="146" text-anchor="middle" ${FONT} font-size="44" font-weight="700" fill="${p.colors[0]}">${escapeXml(p.companionName.slice(0, 1))}</text>`,
    `<text x="160" y="146" ${FONT} font-size="44" font-weight="700" fill="#fff">${escapeXml(p.companionName)}</text>`,
    `<text text-anchor="middle" ${FONT} font-size="104" font-weight="800" fill="#fff">${tspans(title, titleTop, 120)}</text>`,
    `<text text-anchor="middle" ${FONT} font-size="56" fill="#fff" fill-opacity="0.9">${tspans(text, textTop, 72)}</text>`,
    `<text x="${W / 2}" y="${H - 80}" text-anchor="middle" ${FONT} font-size="36" fill="#fff" fill-opacity="0.7">${p.index + 1} / ${p.count}</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
