/**
 * The windows to remove, as polynomial hashes over two primes (51 bits): compiled once per set of
 * secrets (a small cache), and checked by the streaming guard in O(1) per window.
 */
import { fold, type Folded } from "./fold.ts";

export const P1 = 67_108_859; // the largest prime below 2^26
export const P2 = 33_554_393; // the largest prime below 2^25
export const B1 = 1_000_003;
export const B2 = 999_983;

/**
 * A suffix automaton over the folded secrets (joined by a unit no text folds to): fed the reply's
 * folded characters, it tells how long a suffix of them is a substring of some secret, so how much
 * could still grow into a match. Edges are linked lists in flat arrays (small for a persona).
 */
export interface SecretAutomaton {
  len: number[];
  link: number[];
  head: number[];
  edgeUnit: number[];
  edgeTo: number[];
  edgeNext: number[];
}

/** The state reached from `state` by `unit`, or -1. */
export function transition(a: SecretAutomaton, state: number, unit: number): number {
  for (let e = a.head[state] ?? -1; e !== -1; e = a.edgeNext[e] ?? -1) if (a.edgeUnit[e] === unit) return a.edgeTo[e] ?? -1;
  return -1;
}

function addEdge(a: SecretAutomaton, from: number, unit: number, to: number): void {
  a.edgeUnit.push(unit);
  a.edgeTo.push(to);
  a.edgeNext.push(a.head[from] ?? -1);
  a.head[from] = a.edgeUnit.length - 1;
}

function redirect(a: SecretAutomaton, from: number, unit: number, to: number): void {
  for (let e = a.head[from] ?? -1; e !== -1; e = a.edgeNext[e] ?? -1) {
    if (a.edgeUnit[e] === unit) {
      a.edgeTo[e] = to;
      return;
    }
  }
}

const SEPARATOR = -1;

/** The textbook online construction (Blumer et al.), over every secret's folded units. */
function automatonOf(texts: readonly number[][]): SecretAutomaton {
  const a: SecretAutomaton = { len: [0], link: [-1], head: [-1], edgeUnit: [], edgeTo: [], edgeNext: [] };
  const state = (len: number, link: number) => {
    a.len.push(len);
    a.link.push(link);
    a.head.push(-1);
    return a.len.length - 1;
  };
  let last = 0;
  for (const c of texts.flatMap((units) => [...units, SEPARATOR])) {
    const cur = state((a.len[last] ?? 0) + 1, 0);
    let p = last;
    while (p !== -1 && transition(a, p, c) === -1) {
      addEdge(a, p, c, cur);
      p = a.link[p] ?? -1;
    }
    if (p !== -1) {
      const q = transition(a, p, c);
      if ((a.len[p] ?? 0) + 1 === a.len[q]) a.link[cur] = q;
      else {
        const clone = state((a.len[p] ?? 0) + 1, a.link[q] ?? 0);
        for (let e = a.head[q] ?? -1; e !== -1; e = a.edgeNext[e] ?? -1) addEdge(a, clone, a.edgeUnit[e] ?? 0, a.edgeTo[e] ?? 0);
        while (p !== -1 && transition(a, p, c) === q) {
          redirect(a, p, c, clone);
          p = a.link[p] ?? -1;
        }
        a.link[q] = clone;
        a.link[cur] = clone;
      }
    }
    last = cur;
  }
  return a;
}

/** Window lengths (longest first) and the hashes of the windows to remove, per length. */
export interface LeakIndex {
  lengths: number[];
  windows: Set<number>[];
  /** The longest window: how many folded characters the guard holds back, plus one. 0: nothing to guard. */
  width: number;
  pow1: number[];
  pow2: number[];
  /** What of the reply's end could still become a match: the guard holds back only that. */
  automaton: SecretAutomaton;
}

export const key = (h1: number, h2: number) => h1 * P2 + h2;

function powers(base: number, mod: number, count: number): number[] {
  const out = [1];
  for (let i = 1; i <= count; i++) out.push(((out[i - 1] ?? 1) * base) % mod);
  return out;
}

function compile(secrets: readonly string[], minSpan: number, minSecret: number): LeakIndex {
  const bySize = new Map<number, Set<number>>();
  const guarded: number[][] = [];
  for (const secret of secrets) {
    const folded: Folded = { units: [], start: [], end: [] };
    fold(secret, 0, true, 0, folded);
    const u = folded.units;
    if (u.length < minSecret) continue;
    guarded.push(u);
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
  return {
    lengths,
    windows: lengths.map((l) => bySize.get(l) ?? new Set()),
    width,
    pow1: powers(B1, P1, width),
    pow2: powers(B2, P2, width),
    automaton: automatonOf(guarded),
  };
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
