/**
 * The fake OpenAI-compatible provider of the TTFT benchmark, in a process of its own so
 * that neither the benchmark's clients nor the server share its event loop. Prints
 * `{"url": …}` once listening; exits when its stdin closes (the benchmark ended).
 */
import { createFakeOpenAIServer } from "@companion/ai/testing";

const [delayMs, chunkDelayMs, reply] = process.argv.slice(2);
const fake = createFakeOpenAIServer({ mode: "ok", delayMs: Number(delayMs), chunkDelayMs: Number(chunkDelayMs), ...(reply ? { reply } : {}) });
const { url, close } = await fake.start();
process.stdout.write(`${JSON.stringify({ url })}\n`);
process.stdin.resume();
process.stdin.on("close", () => void close().then(() => process.exit(0)));
