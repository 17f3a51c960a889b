import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeBehavior {
  /**
   * ok: answer (after `delayMs`, if any). slow: answer after `delayMs` (default 2 s).
   * hang: never answer. status: answer with HTTP `status` and an OpenAI-style error body.
   */
  mode: "ok" | "slow" | "hang" | "status";
  status?: number;
  delayMs?: number;
  /** Streaming: destroy the connection after this many content chunks (a broken upstream). */
  cutAfterChunks?: number;
  /** Streaming: stop sending, but keep the connection open, after this many content chunks. */
  stallAfterChunks?: number;
  /** Defaults to a fixed sentence, or `{"sentiment":0.6}` for json_object requests. */
  reply?: string;
  /**
   * Over `reply`: answer with every message's content of the request, in order, joined by
   * newlines: a model that obeys any extraction trick (the anti-leak tests, docs/anti-leak.md).
   * Every reply (`replyFor`'s too) then streams in 7-character chunks, cutting words anywhere.
   */
  echo?: boolean;
  /** Pause between streamed chunks. */
  chunkDelayMs?: number;
  /**
   * Answers chosen per request, over `reply`: return a string to answer with it, undefined for
   * the default. Lets one server play several roles (chat, memory extraction, a digest letter).
   */
  replyFor?: (request: FakeRequest) => string | undefined;
}

/**
 * `/v1/moderations` (docs/safety.md): not flagged unless `flagFor` names OpenAI categories for an
 * input ("self-harm/intent", "sexual/minors", "violence"…). Apart from the chat behavior: a chat
 * `mode: "hang"` does not hang moderation, and moderation requests are not in `requestCount`.
 */
interface FakeModeration {
  flagFor?: (input: string) => readonly string[] | undefined;
  /** Answer after this long (a timeout test sets it past the server's SAFETY_MODERATION_TIMEOUT_MS). */
  delayMs?: number;
  /** Answer with this HTTP error status instead. */
  status?: number;
}

const MODERATION_CATEGORIES = [
  "harassment",
  "harassment/threatening",
  "hate",
  "hate/threatening",
  "illicit",
  "illicit/violent",
  "self-harm",
  "self-harm/intent",
  "self-harm/instructions",
  "sexual",
  "sexual/minors",
  "violence",
  "violence/graphic",
] as const;

/** What `replyFor` sees of a chat completion request. */
export interface FakeRequest {
  messages: { role: string; content: string }[];
  stream: boolean;
  /** `json_schema` requests: the schema's name (e.g. "memory_extraction"). */
  schemaName?: string;
  responseFormat?: string;
}

/** Deterministic embeddings for `/v1/embeddings`: the same text always gets the same unit vector. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, () => 0);
  // Bag of hashed words: texts sharing words point the same way, so similarity is meaningful.
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    let h = 2166136261;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 16777619);
    vector[(h >>> 0) % dimensions] = (vector[(h >>> 0) % dimensions] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((v) => v / norm);
}

export interface FakeOpenAIServer {
  setBehavior(behavior: FakeBehavior): void;
  setModeration(moderation: FakeModeration): void;
  /** Every input `/v1/moderations` received since start (or the last `resetCounters`). */
  readonly moderationInputs: readonly string[];
  /** Requests received since start (or the last `resetCounters`). */
  readonly requestCount: number;
  /** Requests the client closed before the response finished (aborts and timeouts). */
  readonly abortedCount: number;
  readonly lastRequestBody: unknown;
  /** Every request body since start (or the last `resetCounters`), in arrival order. */
  readonly requestBodies: readonly unknown[];
  resetCounters(): void;
  /** `url` is the base URL to give the SDK, ending in `/v1`. */
  start(): Promise<{ url: string; close: () => Promise<void> }>;
}

export const FAKE_REPLY = "Hello from the fake model, it is lovely to meet you.";
const FAKE_SENTIMENT_REPLY = '{"sentiment":0.6}';

interface ChatBody {
  stream?: boolean;
  model?: string;
  messages?: { role?: unknown; content?: unknown }[];
  response_format?: { type?: string; json_schema?: { name?: string } };
  stream_options?: { include_usage?: boolean };
}

const asChatBody = (value: unknown): ChatBody => (typeof value === "object" && value !== null ? value : {});

/** Word chunks that concatenate back to the reply, like a model's token stream. */
const chunksOf = (reply: string) => reply.split(/(?<=\s)/);
/** Chunks of `size` characters, cutting words (and escapes, and a secret's first letters) anywhere. */
const fixedChunksOf = (reply: string, size: number) => reply.match(new RegExp(`[\\s\\S]{1,${size}}`, "g")) ?? [];

/**
 * An OpenAI-compatible HTTP server for tests: a real socket on 127.0.0.1, real SSE
 * framing, so the official SDK is exercised end to end (timeouts, aborts, parse paths).
 */
export function createFakeOpenAIServer(initial: FakeBehavior = { mode: "ok" }): FakeOpenAIServer {
  let behavior = initial;
  let requestCount = 0;
  let abortedCount = 0;
  let lastRequestBody: unknown;
  const requestBodies: unknown[] = [];
  let moderation: FakeModeration = {};
  const moderationInputs: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === "POST" && req.url === "/v1/embeddings") return embeddings(req, res);
    if (req.method === "POST" && req.url === "/v1/moderations") return moderations(req, res);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":{"message":"not found"}}');
      return;
    }
    requestCount++;
    const b = behavior;
    let cutByUs = false;
    let closed = false;
    res.on("close", () => {
      closed = true;
      if (!res.writableFinished && !cutByUs) abortedCount++;
    });

    let raw = "";
    for await (const part of req) raw += String(part);
    const body = asChatBody(JSON.parse(raw));
    lastRequestBody = body;
    requestBodies.push(body);

    if (b.mode === "hang") return;
    const delay = b.mode === "slow" ? (b.delayMs ?? 2_000) : (b.delayMs ?? 0);
    if (delay > 0) await wait(delay, () => closed);
    if (closed) return;

    if (b.mode === "status") {
      const status = b.status ?? 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake status ${status}`, type: "fake_error", code: String(status) } }));
      return;
    }

    const json = body.response_format?.type === "json_object";
    const request: FakeRequest = {
      messages: (body.messages ?? []).map((m) => ({ role: String(m.role), content: typeof m.content === "string" ? m.content : "" })),
      stream: body.stream === true,
      ...(body.response_format?.type ? { responseFormat: body.response_format.type } : {}),
      ...(body.response_format?.json_schema?.name ? { schemaName: body.response_format.json_schema.name } : {}),
    };
    const echoed = b.echo ? request.messages.map((m) => m.content).join("\n") : undefined;
    const reply = b.replyFor?.(request) ?? echoed ?? b.reply ?? (json ? FAKE_SENTIMENT_REPLY : FAKE_REPLY);
    const pieces = b.echo ? fixedChunksOf(reply, 7) : chunksOf(reply);
    const model = body.model ?? "fake-model";
    const promptChars = (body.messages ?? []).reduce((n, m) => n + (typeof m.content === "string" ? m.content.length : 0), 0);
    const usage = {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: pieces.length,
      total_tokens: Math.ceil(promptChars / 4) + pieces.length,
    };
    const base = { id: "chatcmpl-fake", created: Math.floor(Date.now() / 1000), model };

    if (!body.stream) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          ...base,
          object: "chat.completion",
          choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
          usage,
        }),
      );
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    // Resolves once the bytes reached the socket, so a later cut cannot swallow them.
    const send = (data: unknown) =>
      new Promise<void>((resolve) => res.write(`data: ${JSON.stringify(data)}\n\n`, () => resolve()));
    const chunk = (delta: Record<string, string>, finishReason: string | null) =>
      send({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finishReason }] });

    await chunk({ role: "assistant", content: "" }, null);
    let sent = 0;
    for (const piece of pieces) {
      if (closed) return;
      if (b.cutAfterChunks !== undefined && sent >= b.cutAfterChunks) {
        cutByUs = true;
        res.destroy();
        return;
      }
      if (b.stallAfterChunks !== undefined && sent >= b.stallAfterChunks) return;
      await chunk({ content: piece }, null);
      sent++;
      if (b.chunkDelayMs) await wait(b.chunkDelayMs, () => closed);
    }
    if (closed) return;
    await chunk({}, "stop");
    if (body.stream_options?.include_usage) await send({ ...base, object: "chat.completion.chunk", choices: [], usage });
    res.end("data: [DONE]\n\n");
  }

  /** OpenAI's moderation endpoint, one result per input, following `moderation` (not the chat behavior). */
  async function moderations(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = "";
    for await (const part of req) raw += String(part);
    const body = JSON.parse(raw) as { input?: string | string[]; model?: string };
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
    moderationInputs.push(...inputs);
    const m = moderation;
    if (m.delayMs) await wait(m.delayMs, () => res.closed);
    if (res.closed) return;
    if (m.status !== undefined) {
      res.writeHead(m.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake status ${m.status}`, type: "fake_error", code: String(m.status) } }));
      return;
    }
    const results = inputs.map((input) => {
      const flagged = new Set(m.flagFor?.(input) ?? []);
      const categories = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, flagged.has(c)]));
      const scores = Object.fromEntries(MODERATION_CATEGORIES.map((c) => [c, flagged.has(c) ? 0.97 : 0.001]));
      return { flagged: flagged.size > 0, categories, category_scores: scores, category_applied_input_types: {} };
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ id: "modr-fake", model: body.model ?? "omni-moderation-latest", results }));
  }

  /** OpenAI's embeddings endpoint, following the same behavior modes as chat (hang, status, slow). */
  async function embeddings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    requestCount++;
    let raw = "";
    for await (const part of req) raw += String(part);
    const body = JSON.parse(raw) as { input?: string | string[]; model?: string; dimensions?: number };
    lastRequestBody = body;
    requestBodies.push(body);
    const b = behavior;
    if (b.mode === "hang") return;
    if (b.mode === "slow" || b.delayMs) await wait(b.mode === "slow" ? (b.delayMs ?? 2_000) : (b.delayMs ?? 0), () => res.closed);
    if (b.mode === "status") {
      const status = b.status ?? 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `fake status ${status}`, type: "fake_error", code: String(status) } }));
      return;
    }
    const inputs = Array.isArray(body.input) ? body.input : [body.input ?? ""];
    const dimensions = body.dimensions ?? 64;
    const tokens = inputs.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        object: "list",
        model: body.model ?? "fake-embedding",
        data: inputs.map((text, index) => ({ object: "embedding", index, embedding: fakeEmbedding(text, dimensions) })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  }

  return {
    setBehavior(next) {
      behavior = next;
    },
    setModeration(next) {
      moderation = next;
    },
    get moderationInputs() {
      return moderationInputs;
    },
    get requestCount() {
      return requestCount;
    },
    get abortedCount() {
      return abortedCount;
    },
    get lastRequestBody() {
      return lastRequestBody;
    },
    get requestBodies() {
      return requestBodies;
    },
    resetCounters() {
      requestCount = 0;
      abortedCount = 0;
      lastRequestBody = undefined;
      requestBodies.length = 0;
      moderationInputs.length = 0;
    },
    async start() {
      const server = createServer((req, res) => {
        handle(req, res).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500).end(String(err));
          else res.destroy();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as AddressInfo;
      return {
        url: `http://127.0.0.1:${port}/v1`,
        close: () =>
          new Promise<void>((resolve, reject) => {
            // Hanging requests would otherwise keep close() waiting forever.
            server.closeAllConnections();
            server.close((err) => (err ? reject(err) : resolve()));
          }),
      };
    },
  };
}

/** Sleeps, waking early once the client has gone so handlers do not outlive their socket. */
function wait(ms: number, gone: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const started = Date.now();
    const tick = () => {
      if (gone() || Date.now() - started >= ms) resolve();
      else setTimeout(tick, Math.min(20, ms - (Date.now() - started)));
    };
    tick();
  });
}
