/**
 * The windows to remove, as polynomial hashes over two primes (51 bits): compiled once per set of
 * secrets (a small cache), and checked by the streaming guard in O(1) per window.
 */
import { fold, type Folded } from "./fold.ts";

export const P1 = 67_108_859; // the largest prime below 2^26
export const P2 = 33_554_393; // the largest prime below 2^25
export const B1 = 1_000_003;
export const B2 = 999_983;

/** Window lengths (longest first) and the hashes of the windows to remove, per length. */
export interface LeakIndex {
  lengths: number[];
  windows: Set<number>[];
  /** The longest window: how many folded characters the guard holds back, plus one. 0: nothing to guard. */
  width: number;
  pow1: number[];
  pow2: number[];
}

export const key = (h1: number, h2: number) => h1 * P2 + h2;

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
const COMPILED_MAX = 32;

export function indexFor(secrets: readonly string[], minSpan: number, minSecret: number): LeakIndex {
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
