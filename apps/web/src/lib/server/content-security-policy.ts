/**
 * The web app's Content Security Policy, built per request by src/proxy.ts.
 *
 * Scripts: a fresh nonce and 'strict-dynamic', no 'unsafe-inline'. Next.js puts the nonce it
 * finds in this header (the proxy sets it on the request too) on its own inline bootstrap
 * scripts and chunk tags, and <Script nonce> carries it (src/app/runtime-config.tsx); scripts
 * those load are trusted through 'strict-dynamic'. This needs every page rendered per request,
 * which the root layout does anyway (it reads the nonce, and the runtime API address).
 * `next dev` also needs 'unsafe-eval' (React rebuilds server error stacks with eval).
 *
 * Styles: 'self' and 'unsafe-inline'. React's `style={…}` props are inline style attributes,
 * which a nonce cannot cover (only <style> elements take one); injected CSS cannot run code.
 *
 * Connections, images and media: this origin (the session route handlers, blob: previews of a
 * picked file), the API (tRPC, SSE, local media under /media) and MEDIA_ORIGINS (an S3 store's
 * public origin: presigned uploads and media URLs point there).
 */
import { publicApiUrl } from "../api-url";

/** Origins of the API and of MEDIA_ORIGINS (comma-separated); a malformed one fails loudly. */
function allowedOrigins(): string[] {
  const urls = [publicApiUrl(), ...(process.env.MEDIA_ORIGINS ?? "").split(",")].map((url) => url.trim()).filter(Boolean);
  return [
    ...new Set(
      urls.map((url) => {
        try {
          return new URL(url).origin;
        } catch {
          throw new Error(`PUBLIC_API_URL / MEDIA_ORIGINS: not a URL: ${url}`);
        }
      }),
    ),
  ];
}

export function contentSecurityPolicy(nonce: string): string {
  const origins = allowedOrigins().join(" ");
  const dev = process.env.NODE_ENV === "development";
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `connect-src 'self' ${origins}`,
    `img-src 'self' blob: data: ${origins}`,
    `media-src 'self' blob: ${origins}`,
    "font-src 'self'",
    "object-src 'none'",
    "worker-src 'self'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join("; ");
}
