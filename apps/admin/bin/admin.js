#!/usr/bin/env node
// `pnpm admin …` runs this file: with no root script of that name, pnpm runs the workspace
// bin `admin` the way `pnpm exec` does, which prints no banner of its own, so standard output
// carries only the command's output. Node 24 runs the TypeScript source itself (type
// stripping); production runs the bundle, apps/admin/dist/main.js.
const { main } = await import("../src/main.ts");
await main();
