/**
 * The client as an app outside this repo gets it: built, packed, installed from the tarball into
 * a folder under the system's temp dir with `typescript` and tRPC from the npm registry, type
 * checked under a default Next.js tsconfig, and run with node against the real server on its
 * embedded default (register, stories feed, a streamed chat reply from the offline persona).
 *
 * It needs the npm registry (or npm's cache) and fails loudly without it.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const serverDir = fileURLToPath(new URL("../../../apps/server", import.meta.url));
const pkg = JSON.parse(await readFile(join(packageDir, "package.json"), "utf8")) as Record<"peerDependencies" | "devDependencies", Record<string, string>>;
/** The lowest tRPC the package says it works with (its peer range's floor), and the one this repo uses. */
const trpcVersions = ["peerDependencies", "devDependencies"] as const;
const trpcAt = (from: (typeof trpcVersions)[number]) =>
  ["@trpc/client", "@trpc/server"].map((name) => `${name}@${pkg[from][name]?.replace(/^[~^]/, "") ?? "missing"}`);

let workDir: string | undefined;
let server: ChildProcess | undefined;
afterAll(async () => {
  if (server && server.exitCode === null) server.kill("SIGKILL");
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The server's own start (as chat.e2e.test.ts): no database URL, no AI key; its URL from the log. */
async function startServer(dataDir: string): Promise<string> {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: serverDir,
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = proc;
  let output = "";
  proc.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const m = /"url":"(http:[^"]+)"/.exec(output);
    if (m?.[1]) return m[1];
    if (proc.exitCode !== null) throw new Error(`server exited early (${proc.exitCode}):\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not listen within 60 s:\n${output}`);
}

/** What `create-next-app` writes, less the Next plugin and paths. */
const nextTsconfig = (skipLibCheck: boolean) => ({
  compilerOptions: {
    target: "ES2017",
    lib: ["dom", "dom.iterable", "esnext"],
    allowJs: true,
    skipLibCheck,
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    module: "esnext",
    moduleResolution: "bundler",
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: "preserve",
    incremental: false,
  },
  include: ["**/*.ts"],
  exclude: ["node_modules"],
});

/** The app: every type it uses comes from the package; the @ts-expect-error lines prove they are real types, not any. */
const APP = `import { createClient, errorCode, isTRPCClientError, type AppRouter, type ClientErrorCode, type RouterInputs, type RouterOutputs } from "@companion/client";
import { createTRPCClient, httpLink, loggerLink } from "@trpc/client";

// A browser app has no @types/node: the one Node global this script reads.
declare const process: { argv: string[] };

type IsAny<T> = 0 extends 1 & T ? true : false;
const feedIsTyped: IsAny<RouterOutputs["stories"]["feed"]> = false;
const inputIsTyped: IsAny<RouterInputs["auth"]["register"]> = false;
const codes: ClientErrorCode[] = ["NETWORK_ERROR", "FORBIDDEN"];
// @ts-expect-error not a code the client ever reports
const badCode: ClientErrorCode = "NOT_A_CODE";

const url = process.argv[2]!;
let token: string | null = null;
const logs: string[] = [];
const api = createClient({
  url,
  getAccessToken: () => token,
  onTokens: (tokens) => {
    token = tokens?.accessToken ?? null;
  },
  links: [loggerLink({ logger: (entry) => void logs.push(entry.direction + " " + entry.path) })],
});

// A plain tRPC client over the same router type works too (what @trpc/tanstack-react-query builds on).
const plain = createTRPCClient<AppRouter>({ links: [httpLink({ url: url + "/trpc" })] });

async function main() {
  if (process.argv[3] === "never") {
    // @ts-expect-error the email must be a string
    await api.auth.register.mutate({ email: 42, password: "password-1234", displayName: "x" });
    // @ts-expect-error no such procedure
    await api.stories.nope.query();
    const feed = await api.stories.feed.query({});
    // @ts-expect-error a feed item has no such field
    feed.items[0]?.notAField;
  }
  const session = await api.auth.register.mutate({ email: "app-" + Date.now() + "@example.com", password: "password-1234", displayName: "Packed App" });
  const feed: RouterOutputs["stories"]["feed"] = await api.stories.feed.query({ limit: 10 });
  const companions = await api.companions.list.query({ limit: 50 });
  const luna = companions.items.find((c) => c.slug === "luna");
  if (!luna) throw new Error("no demo companion");
  await api.companions.connect.mutate({ companionId: luna.id });
  const { userMessage } = await api.messages.start.mutate({ companionId: luna.id, content: "Hello from a packed app", idempotencyKey: crypto.randomUUID() });
  const text = await new Promise<string>((resolve, reject) => {
    let streamed = "";
    const sub = api.messages.stream.subscribe({ messageId: userMessage.id }, {
      onData: (event) => {
        if (event.type === "token") streamed += event.text;
        if (event.type === "done") {
          sub.unsubscribe();
          resolve(streamed);
        }
      },
      onError: reject,
    });
  });
  const unauthorized = await plain.auth.me.query().catch((err: unknown) => (isTRPCClientError(err) ? errorCode(err) : "not a client error"));
  const down = await createClient({ url: "http://127.0.0.1:9" }).auth.me.query().catch((err: unknown) => errorCode(err));
  console.log(JSON.stringify({ user: session.user.displayName, feedItems: feed.items.length, text, unauthorized, down, logged: logs.length > 0, checks: [feedIsTyped, inputIsTyped, codes.length, badCode] }));
}

await main();
`;

describe("the packed client in an app outside the repo", () => {
  it("installs from its tarball, type-checks under a Next.js tsconfig and talks to the real server", async () => {
    workDir = await mkdtemp(join(tmpdir(), "companion-client-app-"));
    const dataDir = join(workDir, "server-data");
    const appDir = join(workDir, "app");
    const serverUrl = startServer(dataDir);
    serverUrl.catch(() => undefined); // awaited below; the build and install go on meanwhile

    await run("pnpm", ["run", "build"], { cwd: packageDir });
    const dist = await readFile(join(packageDir, "dist/index.d.ts"), "utf8");
    const js = await readFile(join(packageDir, "dist/index.js"), "utf8");
    for (const text of [dist, js]) {
      // Nothing of the server may remain: only tRPC, eventsource and the package's own code.
      expect(text).not.toMatch(/@companion\/|drizzle|from "postgres"|openai|pino|@companion\/validators/);
    }
    // eventsource is imported on the first subscription only (React Native cannot load it: deferred-link.ts).
    const imports = [dist, js].flatMap((text) => [...text.matchAll(/from "([^"]+)"|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]));
    expect(new Set(imports)).toEqual(new Set(["@trpc/client", "@trpc/server", "@trpc/server/observable", "eventsource"]));

    await run("pnpm", ["pack", "--pack-destination", workDir], { cwd: packageDir });
    const tarball = (await readdir(workDir)).find((f) => f.endsWith(".tgz"));
    if (!tarball) throw new Error("pnpm pack wrote no tarball");

    await mkdir(appDir, { recursive: true });
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "packed-app", private: true, type: "module" }));
    const npmInstall = (...args: string[]) =>
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", ...args], { cwd: appDir }).catch((err: { stderr?: string; message: string }) => {
        throw new Error(`npm install failed (is the npm registry reachable?):\n${err.stderr ?? err.message}`);
      });
    await writeFile(join(appDir, "app.ts"), APP);
    const tsc = join(appDir, "node_modules/typescript/bin/tsc");
    for (const versions of trpcVersions) {
      const install = await npmInstall(join(workDir, tarball), "typescript@5.9.3", ...trpcAt(versions));
      expect(install.stderr).not.toMatch(/ERR!/);
      const installed = JSON.parse(await readFile(join(appDir, "node_modules/@companion/client/package.json"), "utf8")) as Record<string, unknown>;
      expect(JSON.stringify(installed)).not.toContain("workspace:");
      // tRPC before 11.25 has declarations that need @types/node (`http`, `ws`) when libraries are
      // checked too: the peer floor is checked as Next.js ships it, skipLibCheck true.
      for (const skipLibCheck of versions === "devDependencies" ? [true, false] : [true]) {
        await writeFile(join(appDir, "tsconfig.json"), JSON.stringify(nextTsconfig(skipLibCheck), null, 2));
        // An unused @ts-expect-error fails too: the bad calls in APP must be type errors.
        await run(process.execPath, [tsc, "-p", "."], { cwd: appDir }).catch((err: { stdout?: string }) => {
          throw new Error(`the app does not type-check (tRPC from ${versions}, skipLibCheck ${skipLibCheck}):\n${err.stdout}`);
        });
      }
    }

    const url = await serverUrl;
    const { stdout } = await run(process.execPath, ["app.ts", url], { cwd: appDir, timeout: 30_000 });
    const result = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, unknown>;
    expect(result).toMatchObject({ user: "Packed App", unauthorized: "UNAUTHORIZED", down: "NETWORK_ERROR", logged: true });
    expect(typeof result.feedItems).toBe("number");
    expect(String(result.text).length).toBeGreaterThan(10);

    // React Native has no EventTarget: with its own EventSource class the package still loads.
    const rnLike = `for (const name of ["EventTarget", "Event", "MessageEvent"]) delete globalThis[name];
const { createClient } = await import("@companion/client");
createClient({ url: "http://127.0.0.1:9", EventSource: class {} });
console.log("loaded");`;
    await writeFile(join(appDir, "rn-like.mjs"), rnLike);
    expect((await run(process.execPath, ["rn-like.mjs"], { cwd: appDir })).stdout.trim()).toBe("loaded");
  }, 120_000);
});
