/**
 * settings.get / settings.update through packages/client over HTTP: defaults, partial
 * updates, quiet hours on and off, and field errors for a bad time zone or clock time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failureOf } from "./companion-fixtures.ts";
import { startTestServer, type TestServer } from "./harness.ts";
import { signUp } from "./story-fixtures.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.stop();
});

describe("settings", () => {
  it("starts with defaults, changes only what is given, and is mine alone", async () => {
    const alice = await signUp(t, "Alice");
    const bob = await signUp(t, "Bob");
    expect(await alice.api.settings.get.query()).toEqual({ aboutMe: "", timeZone: "UTC", quietHours: { start: "22:00", end: "08:00" }, proactiveEnabled: true });

    const updated = await alice.api.settings.update.mutate({ aboutMe: "  I'm a night-shift nurse in Porto.  ", timeZone: "Europe/Lisbon" });
    expect(updated).toEqual({ aboutMe: "I'm a night-shift nurse in Porto.", timeZone: "Europe/Lisbon", quietHours: { start: "22:00", end: "08:00" }, proactiveEnabled: true });
    expect(await alice.api.settings.update.mutate({ quietHours: { start: "09:30", end: "17:05" }, proactiveEnabled: false })).toMatchObject({
      aboutMe: "I'm a night-shift nurse in Porto.",
      quietHours: { start: "09:30", end: "17:05" },
      proactiveEnabled: false,
    });
    expect((await alice.api.settings.update.mutate({ quietHours: null })).quietHours).toBeNull();
    expect(await alice.api.settings.get.query()).toMatchObject({ quietHours: null, proactiveEnabled: false, timeZone: "Europe/Lisbon" });
    expect(await bob.api.settings.get.query()).toMatchObject({ aboutMe: "", timeZone: "UTC", proactiveEnabled: true });
  });

  it("refuses a bad time zone, clock time or an empty update with field errors", async () => {
    const alice = await signUp(t, "Alice");
    // Each call starts only when its turn comes: a rejection made early and awaited late is an unhandled one.
    const cases: [() => Promise<unknown>, string][] = [
      [() => alice.api.settings.update.mutate({ timeZone: "Mars/Olympus" }), "timeZone"],
      [() => alice.api.settings.update.mutate({ quietHours: { start: "24:00", end: "08:00" } }), "quietHours"],
      [() => alice.api.settings.update.mutate({ aboutMe: "x".repeat(1001) }), "aboutMe"],
    ];
    for (const [call, field] of cases) {
      const err = await failureOf(call());
      expect(err.code).toBe("BAD_REQUEST");
      expect(err.fieldErrors).toHaveProperty(field);
    }
    expect((await failureOf(alice.api.settings.update.mutate({}))).code).toBe("BAD_REQUEST");
    expect((await failureOf(alice.api.settings.update.mutate({ quietHours: { start: "08:00", end: "08:00" } }))).code).toBe("BAD_REQUEST");
  });
});
