/** Folding (docs/anti-leak.md, "The algorithm"): the form in which replies and secrets are compared. */

/** Folded characters (UTF-16 code units) and, for each, the original range it came from. */
export interface Folded {
  units: number[];
  start: number[];
  end: number[];
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const foldMemo = new Map<number, string>();

/** The folded form of one non-ASCII code point ("" when it is not a letter or digit). */
function foldCodePoint(cp: number): string {
  let folded = foldMemo.get(cp);
  if (folded === undefined) {
    folded = "";
    for (const ch of String.fromCodePoint(cp).normalize("NFKD").toLowerCase()) if (LETTER_OR_DIGIT.test(ch)) folded += ch;
    if (foldMemo.size < 16_384) foldMemo.set(cp, folded);
  }
  return folded;
}

// n r t b f v " ' \ /: escapes of characters that fold to nothing.
const SIMPLE_ESCAPES = new Set([0x6e, 0x72, 0x74, 0x62, 0x66, 0x76, 0x22, 0x27, 0x5c, 0x2f]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Folds `text` from `from` into `out`, positions offset by `offset`. Stops before an incomplete
 * sequence at the end (a high surrogate, a backslash, a partial `\uXXXX`) unless `final`.
 * Returns where it stopped.
 */
export function fold(text: string, from: number, final: boolean, offset: number, out: Folded): number {
  let p = from;
  const n = text.length;
  while (p < n) {
    const c = text.charCodeAt(p);
    let cp = c;
    let size = 1;
    if (c < 0x80 && c !== 0x5c) {
      // ASCII fast path.
      const lower = c >= 65 && c <= 90 ? c + 32 : c;
      if ((lower >= 97 && lower <= 122) || (lower >= 48 && lower <= 57)) {
        out.units.push(lower);
        out.start.push(offset + p);
        out.end.push(offset + p + 1);
      }
      p++;
      continue;
    }
    if (c === 0x5c) {
      if (p + 1 >= n) {
        if (!final) break;
      } else {
        const next = text.charCodeAt(p + 1);
        if (next === 0x75) {
          if (p + 6 > n && !final) break;
          const hex = text.slice(p + 2, p + 6);
          if (HEX4.test(hex)) {
            cp = Number.parseInt(hex, 16);
            size = 6;
          }
        } else if (SIMPLE_ESCAPES.has(next)) {
          p += 2;
          continue;
        }
      }
    } else if (c >= 0xd800 && c <= 0xdbff) {
      if (p + 1 >= n) {
        if (!final) break;
      } else {
        const low = text.charCodeAt(p + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          size = 2;
        }
      }
    }
    const folded = foldCodePoint(cp);
    for (let i = 0; i < folded.length; i++) {
      out.units.push(folded.charCodeAt(i));
      out.start.push(offset + p);
      out.end.push(offset + p + size);
    }
    p += size;
  }
  return p;
}

/** The folded form of `text`, as a string (tests and docs: what the guard compares). */
export function foldForLeakGuard(text: string): string {
  const out: Folded = { units: [], start: [], end: [] };
  fold(text, 0, true, 0, out);
  return String.fromCharCode(...out.units);
}
