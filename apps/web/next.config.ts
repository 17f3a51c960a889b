import type { NextConfig } from "next";

/**
 * Security headers that are the same on every response. The Content-Security-Policy needs a
 * nonce per request and the runtime API address, so src/proxy.ts sets it.
 */
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  // Cross-origin requests (the API, S3) get the origin only: no reset token from a page's query.
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // For browsers without CSP frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];

const nextConfig: NextConfig = {
  // A self-contained server (.next/standalone: server.js and the node_modules it traced) for the
  // Docker image's `web` target.
  output: "standalone",
  poweredByHeader: false,
  headers: async () => [{ source: "/:path*", headers: securityHeaders }],
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
