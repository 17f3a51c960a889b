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
import { fold, type Folded } from "./fold.ts";
import { B1, B2, indexFor, key, P1, P2, transition } from "./windows.ts";

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

interface Removal {
  /** Folded positions [start, end). */
  start: number;
  end: number;
  /** Its marker has been released. */
  marked: boolean;
}

/**
 * A streaming guard over `secrets`. It holds back only the end of the reply that could still grow
 * into a match: the longest suffix of the folded text that is a substring of some secret, at most
 * `minSpan − 1` folded characters (and what follows them). Every other character is released as
 * soon as it arrives, so a reply that shares nothing with the persona streams undelayed.
 * `push(a) + push(b) + end()` is `guardText(secrets, a + b)` however the text is cut.
 */
export function createLeakGuard(secrets: readonly string[], options: LeakGuardOptions = {}): LeakGuard {
  const minSpan = Math.max(1, options.minSpan ?? LEAK_GUARD_DEFAULTS.minSpan);
  const minSecret = Math.max(1, Math.min(options.minSecret ?? LEAK_GUARD_DEFAULTS.minSecret, minSpan));
  const marker = options.marker ?? LEAK_GUARD_DEFAULTS.marker;
  const index = indexFor(secrets, minSpan, minSecret);
  if (index.width === 0) return { push: (text) => text, end: () => "", reset: () => undefined };
  const { lengths, windows, width, pow1, pow2, automaton } = index;

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
  /** The automaton's state after the folded text, and the longest suffix of it found in a secret. */
  let state = 0;
  let suffix = 0;

  const reset = () => {
    raw = "";
    base = scanned = released = next = state = suffix = 0;
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
      // Matching statistics: follow suffix links until the unit extends a substring of a secret.
      while (state !== 0 && transition(automaton, state, unit) === -1) {
        state = automaton.link[state] ?? 0;
        suffix = automaton.len[state] ?? 0;
      }
      const step = transition(automaton, state, unit);
      if (step === -1) state = suffix = 0;
      else {
        state = step;
        suffix++;
      }
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
      // Characters before the suffix that a secret contains can no longer be part of a match.
      const frontier = count - Math.min(suffix, width - 1);
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
