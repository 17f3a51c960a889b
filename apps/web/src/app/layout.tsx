import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { SiteHeader } from "@/components/site-header";
import { Providers } from "./providers";
import { RuntimeConfig } from "./runtime-config";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Companion", template: "%s · Companion" },
  description: "Companions to talk to, stories and memories.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The CSP nonce from src/proxy.ts. Reading the request headers also renders every page per
  // request, so <RuntimeConfig> hands the browser this server's PUBLIC_API_URL, not the build's.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    <html lang="en">
      <body>
        <RuntimeConfig nonce={nonce} />
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Providers>
          <SiteHeader />
          <main id="main" className="container">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
