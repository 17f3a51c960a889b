"use client";
import { useQuery } from "@tanstack/react-query";
import { ErrorMessage } from "@/components/query-state";
import { useTRPC } from "@/lib/trpc";
import { BlockedMuted } from "./blocked-muted";
import { DeleteAccount } from "./delete-account";
import { ExportSection } from "./export-section";
import { PasswordForm } from "./password-form";
import { ProfileForm } from "./profile-form";
import { SessionsSection } from "./sessions-section";
import { SettingsForm } from "./settings-form";

/** My account: profile, settings, password, sessions and security log, export, blocks, deletion. */
export function AccountScreen() {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const settings = useQuery(trpc.settings.get.queryOptions());

  return (
    <section className="stack account">
      <h1>Account</h1>
      {me.isPending ? <p role="status">Loading profile…</p> : null}
      <ErrorMessage error={me.error} />
      {me.data ? <ProfileForm key={me.data.id} profile={me.data} /> : null}
      <ErrorMessage error={settings.error} />
      {settings.data ? <SettingsForm settings={settings.data} /> : null}
      <PasswordForm />
      <SessionsSection />
      <ExportSection />
      <BlockedMuted />
      <DeleteAccount />
    </section>
  );
}
