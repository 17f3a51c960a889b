import webpush from "web-push";
import { describe, expect, it } from "vitest";
import { createWebPushSender } from "./web.ts";

const vapid = { ...webpush.generateVAPIDKeys(), subject: "mailto:ops@example.com" };
// A real subscription's keys: the browser's P-256 public key and auth secret.
const keys = { p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM", auth: "tBHItJI5svbpez7KI4CCXg" };
const message = { notificationId: "6f1c1f0e-7a53-4a39-9b8e-1f2d3c4b5a69", kind: "follow", title: "t", body: "b" };

describe("the Web Push sender", () => {
  it("refuses endpoints that are not a browser push service, without sending anything", async () => {
    const sender = createWebPushSender({ vapid });
    for (const endpoint of ["https://169.254.169.254/latest/meta-data", "https://intranet.example.com/push", "https://fcm.googleapis.com.evil.example/x", "http://fcm.googleapis.com/fcm/send/x"]) {
      expect(await sender.send({ platform: "web", endpoint, keys }, message), endpoint).toMatchObject({ status: "rejected" });
    }
  });
});
