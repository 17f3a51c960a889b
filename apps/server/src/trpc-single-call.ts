/**
 * tRPC's HTTP format for the common request, a single query (GET) or mutation (POST) that is
 * not a batch, a subscription or a stream, answered without the fetch `Request`, `Headers`,
 * `ReadableStream`, `AbortSignal` and `Response` objects the standard adapter builds and takes
 * apart on every call (issue 18: most of the server's CPU per request outside the procedure).
 *
 * It calls the same router, procedures, middleware, `createContext`, `responseMeta` and `onError`,
 * and writes the same status, headers and body as `resolveResponse` of @trpc/server 11 does for
 * such a call; any other request (a batch, a subscription, JSONL, an unknown path, a method that
 * does not fit the procedure, HEAD, other content types or query parameters) returns `false`
 * untouched, for the standard adapter to answer. `apps/server/test/trpc-single-call.http.test.ts`
 * compares the two on every kind of answer, and TRPC_FAST_PATH=false runs the whole HTTP suite
 * on the standard adapter alone (docs/scaling.md#the-http-layer).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AnyTRPCProcedure, AnyTRPCRouter, inferRouterContext } from "@trpc/server";
import type { TRPCRequestInfo } from "@trpc/server/http";
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  transformTRPCResponse,
  TRPCError,
  type AnyRootTypes,
  type TRPCErrorShape,
  type RootConfig,
} from "@trpc/server/unstable-core-do-not-import";

type ProcedureType = "query" | "mutation";

export interface SingleCallOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** The standard adapter's `basePath`, with both slashes: "/trpc/". */
  basePath: string;
  maxBodySize: number;
  createContext: (opts: { req: IncomingMessage; res: ServerResponse; info: TRPCRequestInfo }) => Promise<inferRouterContext<TRouter>>;
  /** Headers (and status) for the answer, as tRPC's `responseMeta` (only `errors` is passed with content here). */
  responseMeta: (opts: { errors: TRPCError[] }) => { headers?: Record<string, string>; status?: number };
  onError: (opts: { error: TRPCError; path: string; type: ProcedureType; requestId: string | undefined }) => void;
}

/** Handles `req` when it is a single query or mutation; false when the standard adapter must. */
export type SingleCallHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createSingleCallHandler<TRouter extends AnyTRPCRouter>(o: SingleCallOptions<TRouter>): SingleCallHandler {
  const config = o.router._def._config as RootConfig<AnyRootTypes>;
  const procedures = o.router._def.procedures as Record<string, AnyTRPCProcedure | undefined>;
  const deserialize = (value: unknown): unknown => config.transformer.input.deserialize(value);

  return (req, res) => {
    const call = singleCall(req, o.basePath, procedures);
    if (!call) return false;
    void answer(req, res, call).catch(() => {
      // Only formatting the error or writing can get here (the standard adapter's exception handler).
      if (res.headersSent) return void res.end();
      res.statusCode = 500;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(transformTRPCResponse(config, { error: FALLBACK_ERROR_SHAPE })));
    });
    return true;
  };

  async function answer(req: IncomingMessage, res: ServerResponse, call: Call): Promise<void> {
    const { path, procedure, type } = call;
    // Aborted when the client goes away before the answer is written, as the standard adapter's signal.
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) abort.abort();
    };
    res.once("close", onClose);

    // Read and parsed once, on the procedure's first ask; text that is not JSON is a BAD_REQUEST
    // carrying the parser's message, as tRPC's own reader answers.
    let input: { value: unknown } | undefined;
    let reading: Promise<unknown> | undefined;
    const getRawInput = (): Promise<unknown> =>
      (reading ??= (async () => {
        try {
          const text = type === "query" ? call.queryInput : await readBody(req, o.maxBodySize);
          input = { value: text ? deserialize(JSON.parse(text)) : undefined };
          return input.value;
        } catch (cause) {
          if (cause instanceof TRPCError) throw cause;
          throw new TRPCError({ code: "BAD_REQUEST", message: cause instanceof Error ? cause.message : "Invalid input", cause });
        }
      })());
    const info: TRPCRequestInfo = {
      isBatchCall: false,
      accept: null,
      type,
      connectionParams: null,
      signal: abort.signal,
      url: null,
      calls: [{ batchIndex: 0, path, procedure, getRawInput, result: () => input?.value }],
    };

    let ctx: inferRouterContext<TRouter> | undefined;
    let status: number;
    let body: unknown;
    let error: TRPCError | undefined;
    try {
      ctx = await o.createContext({ req, res, info });
      const data: unknown = await procedure({ path, getRawInput, ctx, type, signal: abort.signal, batchIndex: 0 });
      if (isDataStream(data)) {
        throw new TRPCError({ code: "UNSUPPORTED_MEDIA_TYPE", message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink" });
      }
      body = { result: { data } };
      status = 200;
    } catch (cause) {
      error = getTRPCErrorFromUnknown(cause);
      o.onError({ error, path, type, requestId: headerOf(req, "x-request-id") });
      const shape = getErrorShape({ config, ctx, error, input: input?.value, path, type }) as TRPCErrorShape;
      body = { error: shape };
      status = getHTTPStatusCode({ error: shape }, [error]);
    } finally {
      res.off("close", onClose);
    }

    const meta = o.responseMeta({ errors: error ? [error] : [] });
    res.statusCode = meta.status ?? status;
    // The standard adapter copies a fetch `Headers`, which iterates lowercase names in order.
    const headers: [string, string][] = [
      ["content-type", "application/json"],
      ["vary", "trpc-accept, accept"],
      ...Object.entries(meta.headers ?? {}).map(([k, v]): [string, string] => [k.toLowerCase(), v]),
    ];
    for (const [key, value] of headers.sort(([a], [b]) => (a < b ? -1 : 1))) res.setHeader(key, value);
    res.end(JSON.stringify(transformTRPCResponse(config, body as Parameters<typeof transformTRPCResponse>[1])));
  }
}

interface Call {
  path: string;
  procedure: AnyTRPCProcedure;
  type: ProcedureType;
  /** A query's `input` parameter, still JSON text. */
  queryInput: string | null;
}

/** The call when `req` is one the fast path answers exactly as the standard adapter would. */
function singleCall(req: IncomingMessage, basePath: string, procedures: Record<string, AnyTRPCProcedure | undefined>): Call | null {
  const url = req.url ?? "";
  if (!url.startsWith(basePath)) return null;
  const method = req.method;
  if (method !== "GET" && method !== "POST") return null;
  const contentType = req.headers["content-type"];
  if (method === "POST" ? !isJson(contentType) : contentType !== undefined && !isJson(contentType)) return null;
  // JSONL (httpBatchStreamLink) and SSE (subscriptions) have their own formats.
  if (req.headers["trpc-accept"] !== undefined || req.headers.accept?.includes("application/jsonl")) return null;

  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url.slice(basePath.length) : url.slice(basePath.length, queryAt);
  // Percent-encoded, batched ("a,b") or odd paths are decoded and split by the standard adapter.
  if (path === "" || !/^[A-Za-z0-9_.]+$/.test(path)) return null;
  const procedure = procedures[path];
  if (!procedure) return null;
  const type = procedure._def.type;
  if (type !== (method === "GET" ? "query" : "mutation")) return null;

  let queryInput: string | null = null;
  if (queryAt !== -1) {
    const params = new URLSearchParams(url.slice(queryAt + 1));
    for (const key of params.keys()) if (key !== "input") return null;
    if (type === "mutation" && params.size > 0) return null;
    queryInput = params.get("input");
  }
  return { path, procedure, type, queryInput };
}

function isJson(contentType: string | undefined): boolean {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body as text, refused past `limit` bytes with tRPC's PAYLOAD_TOO_LARGE (its adapter's
 * `maxBodySize`); like the adapter it stops listening rather than destroying the request, so the
 * 413 still reaches the client. A mutation reads its input inside its transaction: a client gone
 * before its body was read (the request destroyed, no `end` ever coming) must fail the call, or
 * the transaction would hold its connection for good.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const gone = () => new TRPCError({ code: "CLIENT_CLOSED_REQUEST", message: "The client closed the request" });
  if (req.destroyed) return Promise.reject(gone());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
    };
    const onClose = () => {
      stop();
      reject(gone());
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      reject(new TRPCError({ code: "PAYLOAD_TOO_LARGE" }));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

/** What tRPC refuses to send as a plain JSON answer (its `isDataStream`). */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

/** The standard adapter's answer when an error cannot be formatted: it says nothing about the error. */
const FALLBACK_ERROR_SHAPE = { code: -32603 as const, message: "Internal server error", data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 } };
