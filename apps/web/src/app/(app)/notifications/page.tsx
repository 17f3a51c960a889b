import type { Metadata } from "next";
import { NotificationList } from "@/components/notifications/notification-list";
import { NotificationPreferences } from "@/components/notifications/notification-preferences";

export const metadata: Metadata = { title: "Notifications" };

/** My notifications (live: the header's event stream refreshes the list) and which kinds I want. */
export default function NotificationsPage() {
  return (
    <section className="stack">
      <h1>Notifications</h1>
      <NotificationList />
      <NotificationPreferences />
    </section>
  );
}
