import { redirect } from "next/navigation";

/** The home screen is the companion list (it sends a visitor without a session to /sign-in). */
export default function Home() {
  redirect("/companions");
}
