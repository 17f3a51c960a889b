/**
 * The published build: ESM JavaScript and one bundled `.d.ts` in dist/, from the sources
 * scripts/stage-build.ts staged in .build/src (router.ts there spells the server's types out, so
 * the declarations import nothing of the server). Runs in Node, browsers and React Native: no
 * Node built-ins. Dependencies and peer dependencies stay imports; nothing else is left to bundle.
 */
import { defineConfig } from "tsdown";

export default defineConfig({
  entry: { index: "./.build/src/index.ts" },
  format: "esm",
  platform: "neutral",
  target: "es2022",
  outDir: "dist",
  clean: true,
  sourcemap: false,
  dts: true,
  fixedExtension: false,
});
