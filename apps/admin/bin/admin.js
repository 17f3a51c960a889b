#!/usr/bin/env node
// `pnpm admin …` runs this file: with no root script of that name, pnpm runs the workspace
// bin `admin` the way `pnpm exec` does, which prints no banner of its own, so standard output
// carries only the command's output. The CLI is TypeScript run through tsx's loader until
// apps/admin is built; then this imports the built entry instead.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
await main();
