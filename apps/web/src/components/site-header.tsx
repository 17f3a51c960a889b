"use client";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useLiveEvents, useUnreadCount } from "@/lib/notifications";
import { useSession } from "@/lib/session";

/** The screens of the app, in nav order; a new top-level screen adds its entry here. */
const NAV = [
  { href: "/companions", label: "Companions" },
  { href: "/chats", label: "Chats" },
  { href: "/search", label: "Search" },
  { href: "/stories", label: "Stories" },
  { href: "/memories", label: "Memories" },
  { href: "/insights", label: "Insights" },
  { href: "/notifications", label: "Notifications" },
  { href: "/account", label: "Account" },
] as const;

export function SiteHeader() {
  const session = useSession();
  const pathname = usePathname();
  const router = useRouter();
  const queryClient = useQueryClient();
  const unread = useUnreadCount();
  // The one realtime stream of the app: it keeps the badge (and the lists) live.
  useLiveEvents();

  const signOut = async () => {
    await session.signOut();
    queryClient.clear();
    router.push("/sign-in");
  };

  return (
    <header className="site-header">
      <div className="container site-header__inner">
        <Link href="/" className="brand">
          Companion
        </Link>
        {session.status === "signed-in" ? (
          <nav aria-label="Main">
            <ul className="nav-list">
              {NAV.map((item) => {
                const current = pathname === item.href || pathname.startsWith(`${item.href}/`);
                return (
                  <li key={item.href}>
                    <Link href={item.href} aria-current={current ? "page" : undefined}>
                      {item.label}
                      {item.href === "/notifications" ? (
                        // Always in the page, so screen readers announce the count when it changes.
                        <span aria-live="polite" aria-atomic="true">
                          {unread ? (
                            <span className="badge" aria-label={`${unread} unread`}>
                              {unread > 99 ? "99+" : unread}
                            </span>
                          ) : null}
                        </span>
                      ) : null}
                    </Link>
                  </li>
                );
              })}
              <li>
                <button type="button" className="link-button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        ) : session.status === "signed-out" ? (
          <nav aria-label="Account">
            <ul className="nav-list">
              <li>
                <Link href="/sign-in">Sign in</Link>
              </li>
              <li>
                <Link href="/sign-up">Sign up</Link>
              </li>
            </ul>
          </nav>
        ) : null}
      </div>
    </header>
  );
}
