/**
 * The leak guard's cost (docs/anti-leak.md): a reply streamed token by token through a guard
 * over a large persona, as the chat service does for anyone but a companion's owner. Pure CPU,
 * no database. Reports µs per token (warm, the median of several replies), the compile of the
 * secrets (once per persona and process), and `guardText` on a whole reply.
 */
import { createLeakGuard, guardText } from "@companion/ai";

const WORDS = "the a lighthouse keeper loves tide pools maps storms ferry harbor gull rope lantern night sea salt wind quiet story old young river stone".split(" ");

export function runLeakGuardBench(params: { scale: "full" | "small"; log: (line: string) => void }): void {
  const { log } = params;
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const sentence = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
  const secrets: string[] = [];
  for (let size = 0; size < 30_000; size += secrets.at(-1)?.length ?? 0) secrets.push(`${sentence(40)}.`);
  for (let i = 0; i < 30; i++) secrets.push(`catchphrase number ${i}!`);
  let reply = "";
  while (reply.length < 4_000) reply += `${sentence(12)}. `;
  // One verbatim leak in the middle, so the guard cuts something.
  reply = reply.slice(0, 2_000) + (secrets[3] ?? "") + reply.slice(2_000, 4_000);
  const tokens = reply.match(/[\s\S]{1,4}/g) ?? [];

  const compileStarted = performance.now();
  createLeakGuard(secrets);
  const compileMs = performance.now() - compileStarted;

  const runs = params.scale === "full" ? 50 : 10;
  const perToken: number[] = [];
  let removed = 0;
  for (let run = 0; run < runs + 3; run++) {
    const started = performance.now();
    const guard = createLeakGuard(secrets);
    let out = "";
    for (const token of tokens) out += guard.push(token);
    out += guard.end();
    if (run >= 3) perToken.push(((performance.now() - started) * 1_000) / tokens.length);
    removed = reply.length - out.length;
  }
  perToken.sort((a, b) => a - b);
  const wholeStarted = performance.now();
  for (let i = 0; i < runs; i++) guardText(secrets, reply);
  const wholeMs = (performance.now() - wholeStarted) / runs;

  const kb = (n: number) => `${(n / 1_000).toFixed(0)} kB`;
  log(`\n===== leak guard: ${kb(reply.length)} reply in ${tokens.length} tokens against ${kb(secrets.join("").length)} of secrets =====`);
  log(`per token, warm: median ${perToken[Math.floor(perToken.length / 2)]?.toFixed(2)} µs, p95 ${perToken[Math.floor(perToken.length * 0.95)]?.toFixed(2)} µs (${runs} replies)`);
  log(`compile of the secrets (once per persona and process): ${compileMs.toFixed(1)} ms`);
  log(`guardText on the whole reply: ${wholeMs.toFixed(2)} ms; ${removed} characters cut`);
}
