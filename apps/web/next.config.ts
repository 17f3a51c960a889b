import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // The pnpm workspace root: where Next traces files from, instead of guessing it from lockfiles.
  outputFileTracingRoot: new URL("../..", import.meta.url).pathname,
  // Next writes AGENTS.md (tool instructions) into the app on `next dev` unless told not to; this
  // repository's conventions are in its own docs (apps/web/README.md, docs/code-style.md).
  agentRules: false,
  experimental: { agentUpgrade: false },
  // No floating dev badge over the screens (and the e2e screenshots).
  devIndicators: false,
};

export default nextConfig;
