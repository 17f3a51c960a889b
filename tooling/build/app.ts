/**
 * The production build of an app (apps/server, apps/worker, apps/admin): one ESM bundle in
 * `dist/` that plain `node` runs, with no tsx and no TypeScript at run time.
 *
 * Our workspace packages and every library are bundled, except the app's own
 * `dependencies` in package.json: native code (argon2) and packages that load files next
 * to their module (PGlite's wasm and data). Those are what a production install
 * (`pnpm deploy --prod`, see the Dockerfile) puts in node_modules.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig, type UserConfig } from "tsdown";

export function appBuild(options: { cwd?: string; entry?: string[] } = {}): UserConfig {
  const cwd = options.cwd ?? process.cwd();
  const pkg = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
  const runtime = Object.keys(pkg.dependencies ?? {});
  const isRuntime = (id: string) => runtime.some((name) => id === name || id.startsWith(`${name}/`));
  return defineConfig({
    entry: options.entry ?? ["src/main.ts"],
    format: "esm",
    platform: "node",
    target: "node24",
    outDir: "dist",
    clean: true,
    sourcemap: true,
    dts: false,
    fixedExtension: false,
    // The bundle's source stays in memory for the process's life (V8 keeps a script's source
    // for lazy compilation and stack traces), as a two-byte string when it holds one non-ASCII
    // character: escaped to ASCII it takes half (docs/scaling.md#memory). JSDoc and
    // annotation comments are dropped too; licence comments stay.
    outputOptions: { charset: "ascii", comments: { legal: true, annotation: false, jsdoc: false } },
    deps: { neverBundle: isRuntime, alwaysBundle: (id) => !isRuntime(id), onlyBundle: false },
  });
}
