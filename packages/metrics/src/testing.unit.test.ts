import { describe, expect, it } from "vitest";
import { observeAiCall } from "./ai.ts";
import { httpRequestDuration, httpRequests } from "./definitions.ts";
import { collectProcessMetrics, renderMetrics } from "./expose.ts";
import { parsePrometheusText, valueOf } from "./testing.ts";

describe("parsePrometheusText (the tests' strict parser)", () => {
  it("reads everything the registry renders: process metrics, labelled counters, histograms", async () => {
    collectProcessMetrics();
    httpRequests.inc({ route: "stories.feed", method: "GET", code: "200" });
    httpRequestDuration.observe({ route: "stories.feed" }, 0.004);
    observeAiCall({ provider: "offline", purpose: "chat", outcome: "ok", promptTokens: 0, completionTokens: 0, latencyMs: 12, costUsd: 0, firstTokenMs: 3 });
    const samples = parsePrometheusText(await renderMetrics());
    expect(valueOf(samples, "http_requests_total", { route: "stories.feed" })).toBe(1);
    expect(valueOf(samples, "http_request_duration_seconds_bucket", { route: "stories.feed", le: "0.005" })).toBe(1);
    expect(valueOf(samples, "http_request_duration_seconds_bucket", { route: "stories.feed", le: "0.0025" })).toBe(0);
    expect(valueOf(samples, "ai_time_to_first_token_seconds_count", { provider: "offline" })).toBe(1);
    expect(samples.some((s) => s.name === "process_resident_memory_bytes")).toBe(true);
  });

  it.each([
    ["a line that is no sample", "# TYPE a counter\nthis is not a sample\n"],
    ["an unquoted label value", "# TYPE a counter\na{route=x} 1\n"],
    ["an unterminated label value", '# TYPE a counter\na{route="x} 1\n'],
    ["a value that is no number", "# TYPE a counter\na 1,5\n"],
    ["a sample without a TYPE", "b 1\n"],
    ["a bucket without le", '# TYPE h histogram\nh_bucket{x="1"} 1\n'],
    ["a TYPE given twice", "# TYPE a counter\n# TYPE a counter\n"],
  ])("refuses %s", (_what, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });

  it("unescapes label values and reads special values as Prometheus does", () => {
    const [sample] = parsePrometheusText('# TYPE g gauge\ng{v="a\\"b\\\\c\\nd"} Nan\n');
    expect(sample?.labels.v).toBe('a"b\\c\nd');
    expect(sample?.value).toBeNaN();
  });
});
