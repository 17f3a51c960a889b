/**
 * A character card's lorebook (`character_book`, docs/character-cards.md#lorebook): which entries
 * the conversation calls for right now; pure. An entry matches when one of its keys appears, as a
 * whole word, in the person's new message or the last `scan_depth` turns before it.
 */

/** A lorebook entry as a card has it (Character Card V2/V3); unknown fields are ignored here. */
export interface LoreEntry {
  keys: readonly string[];
  content: string;
  enabled?: boolean | null;
  insertion_order?: number | null;
  case_sensitive?: boolean | null;
  constant?: boolean | null;
  selective?: boolean | null;
  secondary_keys?: readonly string[] | null;
  use_regex?: boolean | null;
}

export interface LoreBook {
  scan_depth?: number | null;
  entries: readonly LoreEntry[];
}

export interface LoreScan {
  userMessage: string;
  /** Oldest first, as the prompt's history. */
  recent: readonly { content: string }[];
}

/** Turns before the new message that are scanned when the book does not say. */
export const DEFAULT_LORE_SCAN_DEPTH = 4;
const MAX_SCAN_DEPTH = 50;

interface Decorators {
  activate: boolean;
  dontActivate: boolean;
  scanDepth: number | null;
  body: string;
}

/**
 * V3 decorators are `@@name value` lines at the top of the content; they never reach the prompt.
 * Understood: `@@activate`, `@@dont_activate`, `@@scan_depth N`; the rest (and `@@@` fallbacks) are dropped.
 */
function decorators(content: string): Decorators {
  const lines = content.split("\n");
  const d: Decorators = { activate: false, dontActivate: false, scanDepth: null, body: "" };
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? "";
    if (!line.startsWith("@@")) break;
    // `@@@name`: a fallback for the decorator above; we only act on the ones we understand.
    if (line.startsWith("@@@")) continue;
    const [name = "", ...rest] = line.slice(2).split(/\s+/);
    const value = rest.join(" ");
    if (name === "activate") d.activate = true;
    else if (name === "dont_activate") d.dontActivate = true;
    else if (name === "scan_depth" && /^\d+$/.test(value) && d.scanDepth === null) d.scanDepth = Number(value);
  }
  d.body = lines.slice(i).join("\n").trim();
  return d;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whole-word, literal (a key is never a pattern: no regex from a card runs here). */
function containsKey(text: string, key: string, caseSensitive: boolean): boolean {
  const k = key.trim();
  if (k === "") return false;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(k)}(?![\\p{L}\\p{N}_])`, caseSensitive ? "u" : "iu");
  return pattern.test(text);
}

const clampDepth = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? DEFAULT_LORE_SCAN_DEPTH : Math.max(0, Math.min(MAX_SCAN_DEPTH, Math.floor(n)));

function scannedText(scan: LoreScan, depth: number): string {
  const turns = depth > 0 ? scan.recent.slice(-depth) : [];
  return [...turns.map((t) => t.content), scan.userMessage].join("\n");
}

/**
 * The contents of the entries to put in the prompt, in `insertion_order` (lower first; ties
 * keep the book's order). Skipped: `enabled: false`, empty content, `use_regex` entries (we run
 * no pattern from a card). `constant` entries always match; a `selective` entry with
 * `secondary_keys` needs one of those too; `case_sensitive` is off unless the entry says so.
 */
export function matchLore(book: LoreBook | null | undefined, scan: LoreScan): string[] {
  // Stored JSON: checked on import, but a book is never trusted to be well-formed here.
  const raw: unknown = book?.entries;
  const entries = Array.isArray(raw) ? (raw as readonly LoreEntry[]) : [];
  if (!book || entries.length === 0) return [];
  const bookDepth = clampDepth(book.scan_depth);
  const texts = new Map<number, string>();
  const textAt = (depth: number) => {
    let text = texts.get(depth);
    if (text === undefined) texts.set(depth, (text = scannedText(scan, depth)));
    return text;
  };
  const matched: { order: number; index: number; body: string }[] = [];
  entries.forEach((entry, index) => {
    if (entry.enabled === false || entry.use_regex === true || typeof entry.content !== "string") return;
    const d = decorators(entry.content);
    if (d.body === "" || (d.dontActivate && !d.activate)) return;
    const caseSensitive = entry.case_sensitive === true;
    const text = textAt(d.scanDepth === null ? bookDepth : clampDepth(d.scanDepth));
    const anyOf = (keys: readonly string[] | null | undefined) => (keys ?? []).some((k) => typeof k === "string" && containsKey(text, k, caseSensitive));
    const secondary = entry.secondary_keys ?? [];
    const hit =
      d.activate ||
      entry.constant === true ||
      (anyOf(entry.keys) && (entry.selective !== true || secondary.length === 0 || anyOf(secondary)));
    if (hit) matched.push({ order: typeof entry.insertion_order === "number" ? entry.insertion_order : 0, index, body: d.body });
  });
  return matched.sort((a, b) => a.order - b.order || a.index - b.index).map((m) => m.body);
}
