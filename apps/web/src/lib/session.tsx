"use client";
/**
 * Who is signed in, for the whole app. The access token lives in memory only (a ref here); the
 * refresh token is in an httpOnly cookie that only /api/session/* reads (src/lib/server/session-cookies.ts
 * says why). On load the provider asks /api/session/refresh once, so a reload keeps the session.
 *
 * useSession() gives { status, user, signIn, signUp, signOut }; the API client (trpc.tsx) uses
 * getAccessToken and refresh.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { SessionErrorResponse, SessionResponse, SessionUser } from "./session-api";

export type SessionStatus = "loading" | "signed-in" | "signed-out";

/** A refused sign-in or sign-up: the API's code, message and per-field errors (docs/errors.md). */
export class SessionError extends Error {
  readonly code: string;
  readonly fieldErrors: Record<string, string[] | undefined>;
  constructor(code: string, message: string, fieldErrors: Record<string, string[] | undefined>) {
    super(message);
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
}

interface SessionContextValue {
  status: SessionStatus;
  user: SessionUser | null;
  signUp: (input: { email: string; password: string; displayName: string }) => Promise<SessionUser>;
  signIn: (input: { email: string; password: string }) => Promise<SessionUser>;
  signOut: () => Promise<void>;
  /** For the API client: the current access token, from memory. */
  getAccessToken: () => string | null;
  /** For the API client: a new access token from the refresh cookie, or null when the session is over. */
  refresh: () => Promise<{ accessToken: string } | null>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

async function postSession(path: string, body?: unknown): Promise<SessionResponse> {
  const response = await fetch(`/api/session/${path}`, {
    method: "POST",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? null : JSON.stringify(body),
    cache: "no-store",
  });
  if (response.ok) return (await response.json()) as SessionResponse;
  const failure = (await response.json().catch(() => null)) as SessionErrorResponse | null;
  const error = failure?.error ?? { code: "UNKNOWN", message: `HTTP ${response.status}`, fieldErrors: {} };
  throw new SessionError(error.code, error.message, error.fieldErrors);
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<SessionStatus>("loading");
  const [user, setUser] = useState<SessionUser | null>(null);
  const accessToken = useRef<string | null>(null);
  // One refresh at a time: the cookie's refresh token rotates, so two at once would race.
  const inflight = useRef<Promise<{ accessToken: string } | null> | null>(null);

  const accept = useCallback((session: SessionResponse) => {
    accessToken.current = session.accessToken;
    setUser(session.user);
    setStatus("signed-in");
    return session.user;
  }, []);

  const forget = useCallback(() => {
    accessToken.current = null;
    setUser(null);
    setStatus("signed-out");
  }, []);

  const refresh = useCallback(() => {
    inflight.current ??= postSession("refresh")
      .then((session) => {
        accept(session);
        return { accessToken: session.accessToken };
      })
      .catch(() => {
        forget();
        return null;
      })
      .finally(() => {
        inflight.current = null;
      });
    return inflight.current;
  }, [accept, forget]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const value = useMemo<SessionContextValue>(
    () => ({
      status,
      user,
      signUp: async (input) => accept(await postSession("register", input)),
      signIn: async (input) => accept(await postSession("login", input)),
      signOut: async () => {
        await fetch("/api/session/logout", { method: "POST", cache: "no-store" }).catch(() => undefined);
        forget();
      },
      getAccessToken: () => accessToken.current,
      refresh,
    }),
    [status, user, accept, forget, refresh],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession() needs a <SessionProvider> above it (src/app/providers.tsx)");
  return value;
}
