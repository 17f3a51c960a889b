import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // until the client builds to dist (issue 17): @companion/client exports TypeScript source whose
  // relative imports end in `.ts`, so Next compiles it like our own code.
  transpilePackages: ["@companion/client"],
  // The server's own workspace files must not be traced into this app's output.
  // No floating dev badge over the screens (and the e2e screenshots).
  devIndicators: false,
  outputFileTracingRoot: new URL("../..", import.meta.url).pathname,
};

export default nextConfig;
