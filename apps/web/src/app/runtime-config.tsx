import Script from "next/script";
import { publicApiUrl } from "@/lib/api-url";

/**
 * Sets `window.__COMPANION_CONFIG__` (read by src/lib/api-url.ts) from this server's environment.
 * `beforeInteractive`: Next runs it before hydration, so before any client module reads it.
 * Rendered by the root layout, which reads the request headers and so renders per request:
 * the value is the running server's, never frozen at build time.
 */
export function RuntimeConfig({ nonce }: { nonce: string | undefined }) {
  const config = { apiUrl: publicApiUrl() };
  return (
    <Script id="companion-config" strategy="beforeInteractive" nonce={nonce}>
      {`window.__COMPANION_CONFIG__ = ${JSON.stringify(config)};`}
    </Script>
  );
}
