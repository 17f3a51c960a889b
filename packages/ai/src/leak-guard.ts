/**
 * The output guard (docs/anti-leak.md): removes a companion's private persona text from a model's
 * reply before it reaches anyone but the companion's owner, as the reply streams.
 *
 * Text is compared in a folded form: per code point NFKD, lower case, letters and digits only
 * (whitespace, punctuation, marks and invisible characters are dropped), with JSON/JS escapes
 * (`\n`, `\"`, `\u0041`) read as the character they stand for. Each folded character keeps the
 * range of the original text it came from, so a match is cut from the original.
 *
 * - A span of at least `minSpan` folded characters shared with a secret is removed (the union of
 *   every matching `minSpan` window: maximal spans).
 * - A secret shorter than `minSpan` but at least `minSecret` long is removed wherever it appears whole.
 * - Shorter secrets are not guarded (too many false positives).
 *
 * Each maximal removed span (matches touching in folded text merge, with what lies between them)
 * becomes one `marker`. Windows are found with a polynomial hash (two moduli, 51 bits): a collision
 * can only remove text, never let a secret through, and is about 10⁻¹¹ per window checked.
 */

export interface LeakGuardOptions {
  /** Shared spans at least this many folded characters long are removed. Default 24. */
  minSpan?: number;
  /** Secrets (folded) shorter than `minSpan` and at least this long are removed when whole; shorter ones are ignored. Default 8. */
  minSecret?: number;
  /** Replaces each removed span. Default "…". */
  marker?: string;
}

export interface LeakGuard {
  /** Takes the next piece of the reply; returns what of it (and of earlier pieces) is final and safe. */
  push(text: string): string;
  /** The rest; the guard then starts over, as after `reset`. */
  end(): string;
  /** Forgets everything pushed and not yet released (the reply restarts). */
  reset(): void;
}

export const LEAK_GUARD_DEFAULTS = { minSpan: 24, minSecret: 8, marker: "…" } as const;

const P1 = 67_108_859; // the largest prime below 2^26
const P2 = 33_554_393; // the largest prime below 2^25
const B1 = 1_000_003;
const B2 = 999_983;

/** Folded characters (UTF-16 code units) and, for each, the original range it came from. */
interface Folded {
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
function fold(text: string, from: number, final: boolean, offset: number, out: Folded): number {
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

/** Window lengths (longest first) and the hashes of the windows to remove, per length. */
interface LeakIndex {
  lengths: number[];
  windows: Set<number>[];
  /** The longest window: how many folded characters the guard holds back, plus one. 0: nothing to guard. */
  width: number;
  pow1: number[];
  pow2: number[];
}

const key = (h1: number, h2: number) => h1 * P2 + h2;

function powers(base: number, mod: number, count: number): number[] {
  const out = [1];
  for (let i = 1; i <= count; i++) out.push(((out[i - 1] ?? 1) * base) % mod);
  return out;
}

function compile(secrets: readonly string[], minSpan: number, minSecret: number): LeakIndex {
  const bySize = new Map<number, Set<number>>();
  for (const secret of secrets) {
    const folded: Folded = { units: [], start: [], end: [] };
    fold(secret, 0, true, 0, folded);
    const u = folded.units;
    if (u.length < minSecret) continue;
    const size = Math.min(u.length, minSpan);
    let set = bySize.get(size);
    if (!set) bySize.set(size, (set = new Set()));
    const pw1 = powers(B1, P1, size)[size] ?? 1;
    const pw2 = powers(B2, P2, size)[size] ?? 1;
    // Rolling over the secret: the hash of every `size` window.
    let h1 = 0;
    let h2 = 0;
    for (let j = 0; j < u.length; j++) {
      const unit = u[j] ?? 0;
      h1 = (h1 * B1 + unit) % P1;
      h2 = (h2 * B2 + unit) % P2;
      if (j >= size) {
        const out = u[j - size] ?? 0;
        h1 = (h1 - ((out * pw1) % P1) + P1) % P1;
        h2 = (h2 - ((out * pw2) % P2) + P2) % P2;
      }
      if (j >= size - 1) set.add(key(h1, h2));
    }
  }
  const lengths = [...bySize.keys()].sort((a, b) => b - a);
  const width = lengths[0] ?? 0;
  return { lengths, windows: lengths.map((l) => bySize.get(l) ?? new Set()), width, pow1: powers(B1, P1, width), pow2: powers(B2, P2, width) };
}

// Personas change rarely and every reply of a companion compiles the same texts: a small cache.
const compiled = new Map<string, LeakIndex>();
const COMPILED_MAX = 64;

function indexFor(secrets: readonly string[], minSpan: number, minSecret: number): LeakIndex {
  const cacheKey = `${minSpan}:${minSecret}:${secrets.join("\u0000")}`;
  const hit = compiled.get(cacheKey);
  if (hit) {
    compiled.delete(cacheKey);
    compiled.set(cacheKey, hit);
    return hit;
  }
  const index = compile(secrets, minSpan, minSecret);
  compiled.set(cacheKey, index);
  if (compiled.size > COMPILED_MAX) compiled.delete(compiled.keys().next().value ?? "");
  return index;
}

interface Removal {
  /** Folded positions [start, end). */
  start: number;
  end: number;
  /** Its marker has been released. */
  marked: boolean;
}

/**
 * A streaming guard over `secrets`. It holds back the last `minSpan − 1` folded characters (and
 * what follows them): a character is released once every window that could cover it has been
 * seen. `push(a) + push(b) + end()` is `guardText(secrets, a + b)` however the text is cut.
 */
export function createLeakGuard(secrets: readonly string[], options: LeakGuardOptions = {}): LeakGuard {
  const minSpan = Math.max(1, options.minSpan ?? LEAK_GUARD_DEFAULTS.minSpan);
  const minSecret = Math.max(1, Math.min(options.minSecret ?? LEAK_GUARD_DEFAULTS.minSecret, minSpan));
  const marker = options.marker ?? LEAK_GUARD_DEFAULTS.marker;
  const index = indexFor(secrets, minSpan, minSecret);
  if (index.width === 0) return { push: (text) => text, end: () => "", reset: () => undefined };
  const { lengths, windows, width, pow1, pow2 } = index;

  // Original text from `base` on (what was released before it is dropped); positions are absolute.
  let raw = "";
  let base = 0;
  let scanned = 0;
  let released = 0;
  let folded: Folded = { units: [], start: [], end: [] };
  let h1: number[] = [0];
  let h2: number[] = [0];
  let removals: Removal[] = [];
  /** removals before it are final and released. */
  let next = 0;

  const reset = () => {
    raw = "";
    base = scanned = released = next = 0;
    folded = { units: [], start: [], end: [] };
    h1 = [0];
    h2 = [0];
    removals = [];
  };

  const remove = (start: number, end: number) => {
    let marked = false;
    // Removals touching this one merge into it (only the last ones can).
    for (let last = removals.at(-1); last && last.end >= start; last = removals.at(-1)) {
      start = Math.min(start, last.start);
      end = Math.max(end, last.end);
      marked ||= last.marked;
      removals.pop();
    }
    removals.push({ start, end, marked });
  };

  /** Hashes the folded characters from `from` and checks every window ending at each. */
  const match = (from: number) => {
    const { units } = folded;
    for (let k = from; k < units.length; k++) {
      const unit = units[k] ?? 0;
      const a1 = ((h1[k] ?? 0) * B1 + unit) % P1;
      const a2 = ((h2[k] ?? 0) * B2 + unit) % P2;
      h1.push(a1);
      h2.push(a2);
      const j = k + 1;
      for (let li = 0; li < lengths.length; li++) {
        const len = lengths[li] ?? 0;
        if (len > j) continue;
        const i = j - len;
        const w1 = (a1 - (((h1[i] ?? 0) * (pow1[len] ?? 1)) % P1) + P1) % P1;
        const w2 = (a2 - (((h2[i] ?? 0) * (pow2[len] ?? 1)) % P2) + P2) % P2;
        // Longest first: a shorter window ending here lies inside this one.
        if (windows[li]?.has(key(w1, w2))) {
          remove(i, j);
          break;
        }
      }
    }
  };

  /**
   * Releases the original text up to `boundary`: folded characters before `frontier` are decided
   * (no window not yet seen covers them); a removal ending before it is final.
   */
  const release = (boundary: number, frontier: number): string => {
    const { start, end } = folded;
    let out = "";
    let p = released;
    while (p < boundary) {
      const removal = removals[next];
      const from = removal ? (start[removal.start] ?? Infinity) : Infinity;
      if (from >= boundary) {
        out += raw.slice(p - base, boundary - base);
        p = boundary;
        break;
      }
      if (p < from) out += raw.slice(p - base, from - base);
      if (!removal) break;
      if (!removal.marked) {
        out += marker;
        removal.marked = true;
      }
      const to = end[removal.end - 1] ?? boundary;
      if (removal.end < frontier) {
        p = Math.max(p, from, to);
        next++;
      } else {
        p = Math.max(p, from, Math.min(to, boundary));
        break;
      }
    }
    released = Math.max(released, p);
    // Keep only what is not released yet.
    const cut = Math.min(released, scanned) - base;
    if (cut > 0) {
      raw = raw.slice(cut);
      base += cut;
    }
    return out;
  };

  return {
    push(text) {
      if (text === "") return "";
      raw += text;
      const before = folded.units.length;
      scanned = base + fold(raw, scanned - base, false, base, folded);
      match(before);
      const count = folded.units.length;
      const frontier = count - width + 1;
      if (frontier <= 0) return "";
      // Up to the end of the last decided character, and not into a character that is not decided
      // (one code point can fold to several); what separates it from the next is held with the next.
      const boundary = Math.min(folded.end[frontier - 1] ?? 0, frontier < count ? (folded.start[frontier] ?? Infinity) : Infinity);
      return release(boundary, frontier);
    },
    end() {
      const before = folded.units.length;
      scanned = base + fold(raw, scanned - base, true, base, folded);
      match(before);
      const out = release(base + raw.length, folded.units.length + 1);
      reset();
      return out;
    },
    reset,
  };
}

/** `text` with every private span removed (what a guard streams for it, at once). */
export function guardText(secrets: readonly string[], text: string, options?: LeakGuardOptions): string {
  const guard = createLeakGuard(secrets, options);
  return guard.push(text) + guard.end();
}
